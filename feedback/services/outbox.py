"""Sending the Outbox, at least once and never holding a transaction across the network.

A row goes pending -> sending (claimed by one worker, with a lease) -> sent, in three short
transactions: the claim; the start of one send (the lease renewed, the attempt counted); the
outcome. The gateway is called between the last two with no transaction open, so a slow
gateway never holds SQLite's write lock or a PostgreSQL row lock while webhooks wait.

Two workers never hold the same row: on PostgreSQL the claim is SELECT ... FOR UPDATE SKIP
LOCKED; on SQLite writers are serialised (BEGIN IMMEDIATE). A worker killed mid-send leaves
its row 'sending'; once the lease runs out (a minute; every gateway gives up sooner) another
worker sends it again. That window is the one way a citizen can get an SMS twice: a gateway
accepted it and the worker died before recording so. The Android gateway is given the row's
own id and drops a repeat; Twilio's status callback names the row, so a send it accepted is
marked sent even if the worker died first. A delivery report that arrives while the send is
still being recorded is kept: the outcome never overwrites delivered or undelivered."""

import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import sqlalchemy as sa

from feedback.domain.backoff import retry_delay
from feedback.domain.channels import Channel
from feedback.domain.inbound import MAX_ID
from feedback.domain.outbox import SmsState
from feedback.extensions import db
from feedback.models import Outbox, utcnow

# The port every SMS channel implements (feedback.sms): send this text to this number.

# Every gateway gives up on a send after this many seconds: well within the lease below, so a
# live worker never loses a row it is sending.
SEND_TIMEOUT_SECONDS = 10


class SendError(Exception):
    """A send that did not happen. `retryable`: a later attempt may succeed (network, 5xx,
    rate limit); otherwise retrying is pointless (invalid number, blocked recipient)."""

    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class SmsGateway(Protocol):
    def send(
        self,
        to: str,
        body: str,
        status_callback: str | None = None,
        client_reference: str | None = None,
    ) -> str:
        """Send and return the provider's message id; raise SendError when it did not go.
        `client_reference` is the same on every attempt at one message: a provider that
        accepts an id of ours uses it to drop a repeat."""


# Every gateway gives up well within it (SEND_TIMEOUT_SECONDS), so a live worker keeps it.
DEFAULT_LEASE = timedelta(seconds=60)
# What a delivery report may have recorded before the worker's own outcome.
REPORTED = (SmsState.DELIVERED, SmsState.UNDELIVERED)


@dataclass(frozen=True)
class SendPolicy:
    max_attempts: int
    retry_seconds: int
    # Per channel, the delivery-report URL template with {id}; a channel without one: none.
    status_callbacks: Mapping[str, str]
    lease: timedelta = DEFAULT_LEASE


@dataclass
class BatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


@dataclass(frozen=True)
class ClaimedSms:
    """What a send needs, copied out of the row so no transaction stays open during it."""

    id: int
    to_number: str
    body: str
    channel: str
    attempts: int
    status_callback: str | None

    @property
    def client_reference(self) -> str:
        """Ours, stable across attempts: a gateway that knows it drops a repeat."""
        return f"feedback-outbox-{self.id}"


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


def claim(worker: str, limit: int, lease: timedelta = DEFAULT_LEASE) -> list[int]:
    """Take up to `limit` rows due for sending (or abandoned past their lease) for `worker`."""
    now = utcnow()
    due = sa.or_(
        sa.and_(Outbox.status == SmsState.PENDING, Outbox.next_attempt_at <= now),
        sa.and_(Outbox.status == SmsState.SENDING, Outbox.claimed_at < now - lease),
    )
    query = sa.select(Outbox.id).where(due).order_by(Outbox.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(
            sa.update(Outbox)
            .where(Outbox.id.in_(ids))
            .values(status=SmsState.SENDING, claimed_by=worker, claimed_at=now)
        )
    db.session.commit()
    return ids


def gateway_for(gateways: Mapping[str, SmsGateway], channel: str) -> SmsGateway:
    """The channel's own gateway, else the general 'sms' one."""
    return gateways.get(channel) or gateways[Channel.SMS]


def start_sending(worker: str, outbox_id: int, policy: SendPolicy) -> ClaimedSms | None:
    """One short transaction: still ours? Renew the lease and count the attempt. None when
    the lease ran out and another worker has the row, or it was settled meanwhile."""
    row = db.session.get(Outbox, outbox_id, with_for_update=True)
    if row is None or row.status != SmsState.SENDING or row.claimed_by != worker:
        db.session.rollback()
        return None
    row.attempts += 1
    row.claimed_at = utcnow()
    template = policy.status_callbacks.get(row.channel)
    claimed = ClaimedSms(
        row.id,
        row.to_number,
        row.body,
        row.channel,
        row.attempts,
        template.format(id=row.id) if template else None,
    )
    db.session.commit()
    return claimed


def record_outcome(
    worker: str,
    sms: ClaimedSms,
    external_id: str | None,
    error: SendError | None,
    policy: SendPolicy,
    result: BatchResult,
) -> None:
    """One short transaction after the send: sent, to retry, or failed. A delivery report
    that came first stands; a row another worker has taken since is left to it."""
    row = db.session.get(Outbox, sms.id, with_for_update=True)
    assert row is not None  # outbox rows are never deleted
    now = utcnow()
    if error is None:
        row.external_id = row.external_id or external_id
        row.sent_at = row.sent_at or now
        if row.status not in REPORTED:
            row.status = SmsState.SENT
        result.sent += 1
    else:
        row.last_error = str(error)[:500]
        still_ours = row.status == SmsState.SENDING and row.claimed_by == worker
        if still_ours and error.retryable and sms.attempts < policy.max_attempts:
            row.status = SmsState.PENDING
            row.next_attempt_at = now + retry_delay(sms.attempts, policy.retry_seconds)
            result.retried += 1
        elif still_ours:
            row.status = SmsState.FAILED
            result.failed += 1
    if row.claimed_by == worker:
        row.claimed_by = None
    db.session.commit()


def send_claimed(
    worker: str,
    outbox_id: int,
    gateways: Mapping[str, SmsGateway],
    policy: SendPolicy,
    result: BatchResult,
) -> None:
    """Send one claimed row through its channel's gateway, outside any transaction."""
    sms = start_sending(worker, outbox_id, policy)
    if sms is None:
        return
    gateway = gateway_for(gateways, sms.channel)
    try:
        external_id = gateway.send(
            sms.to_number, sms.body, sms.status_callback, sms.client_reference
        )
    except SendError as error:
        record_outcome(worker, sms, None, error, policy, result)
    else:
        record_outcome(worker, sms, external_id, None, policy, result)


def send_due(
    worker: str, gateways: Mapping[str, SmsGateway], policy: SendPolicy, batch: int = 20
) -> BatchResult:
    """Claim and send until nothing is due; returns what happened."""
    result = BatchResult()
    while ids := claim(worker, batch, policy.lease):
        for outbox_id in ids:
            send_claimed(worker, outbox_id, gateways, policy, result)
    return result


# Twilio's MessageStatus, and Kannel's DLR types, to our delivery states.
DELIVERY_STATES = {
    "queued": SmsState.SENT,
    "accepted": SmsState.SENT,
    "sending": SmsState.SENT,
    "sent": SmsState.SENT,
    "delivered": SmsState.DELIVERED,
    "read": SmsState.DELIVERED,
    "undelivered": SmsState.UNDELIVERED,
    "failed": SmsState.UNDELIVERED,
}


def record_delivery(
    outbox_id: int | None, message_sid: str | None, state: str, error_code: str | None
) -> bool:
    """Twilio's status callback: a row is found by the id in the callback URL (set before
    the send, so it works even if the worker died before recording the sid) or by sid."""
    if message_sid and len(message_sid) > MAX_ID:
        message_sid = None  # no gateway's id is this long (and the column holds MAX_ID)
    row = db.session.get(Outbox, outbox_id) if outbox_id else None
    if row is None and message_sid:
        row = db.session.scalar(sa.select(Outbox).where(Outbox.external_id == message_sid))
    status = DELIVERY_STATES.get(state)
    if row is None or status is None:
        return False
    now = utcnow()
    row.external_id = row.external_id or message_sid
    if status == SmsState.SENT and row.status in (SmsState.SENDING, SmsState.PENDING):
        row.status, row.sent_at, row.claimed_by = SmsState.SENT, row.sent_at or now, None
    elif status == SmsState.DELIVERED:
        row.status, row.delivered_at = SmsState.DELIVERED, now
    elif status == SmsState.UNDELIVERED:
        row.status = SmsState.UNDELIVERED
        row.last_error = f"delivery error {error_code}" if error_code else "undelivered"
    db.session.commit()
    return True
