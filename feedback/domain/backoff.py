"""When to try again after failures (a send, a login): exponential backoff, capped."""

from datetime import timedelta

MAX_DELAY = timedelta(hours=1)


def retry_delay(attempts: int, base_seconds: int) -> timedelta:
    """30 s, 60 s, 120 s, ... after the 1st, 2nd, 3rd failed attempt; never over an hour."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_DELAY)
