"""Backoff for password and code guessing: after a few failures on one account from one
address, each further attempt from there waits longer (doubling, capped at an hour). It is
never a lockout of the account: its owner elsewhere logs in as usual. The counters live in
Flask-Limiter's storage, so several hosts share them through RATELIMIT_STORAGE_URI."""

import hashlib
import math
import time
from collections.abc import Sequence
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import format_timedelta
from limits import parse

from feedback.domain.backoff import retry_delay
from feedback.extensions import limiter


def now() -> float:
    """The clock the waits are measured by (tests move it)."""
    return time.time()


def _key(attempt: Sequence[str], part: str) -> str:
    # Hashed: fixed length, no separator clashes, and no usernames kept in Redis.
    digest = hashlib.sha256("\0".join(attempt).encode()).hexdigest()
    return f"backoff/{digest}/{part}"


def seconds_to_wait(attempt: Sequence[str]) -> int:
    """0 when `attempt` (e.g. ("login", username, address)) may be tried now, else how many
    seconds until it may."""
    not_before = limiter.storage.get(_key(attempt, "not-before"))
    return max(0, math.ceil(not_before - now()))


def record_failure(attempt: Sequence[str]) -> None:
    """Count a failure; from the LOGIN_LIMIT_PER_ACCOUNT_AND_IP-th on, the next try waits
    LOGIN_BACKOFF_SECONDS, twice that after the next failure, and so on. The count is
    forgotten once the limit's period passes without a failure."""
    allowed = parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_IP"])
    storage = limiter.storage
    failures_key = _key(attempt, "failures")
    failures = storage.get(failures_key) + 1
    wait = 0
    if failures >= allowed.amount:
        over = failures - allowed.amount + 1
        wait = int(retry_delay(over, current_app.config["LOGIN_BACKOFF_SECONDS"]).total_seconds())
    # Written afresh each time so that the count outlives the wait it imposes.
    storage.clear(failures_key)
    storage.incr(failures_key, allowed.get_expiry() + wait, amount=failures)
    if wait:
        not_before_key = _key(attempt, "not-before")
        storage.clear(not_before_key)
        storage.incr(not_before_key, wait, amount=math.ceil(now() + wait))


def forget(attempt: Sequence[str]) -> None:
    """A success: earlier failures no longer count."""
    for part in ("failures", "not-before"):
        limiter.storage.clear(_key(attempt, part))


def refusal(wait_seconds: float, template: str, **context):
    """429 whose page says, and whose Retry-After tells, when to try again."""
    wait = max(1, math.ceil(wait_seconds))
    page = render_template(
        template, wait=format_timedelta(timedelta(seconds=wait), threshold=2), **context
    )
    return page, 429, {"Retry-After": str(wait)}
