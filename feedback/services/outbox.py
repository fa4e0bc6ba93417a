"""Sending the Outbox: each row is claimed by one worker, sent, and marked in one commit.

Two workers never hold the same row: on PostgreSQL the claim is SELECT ... FOR UPDATE SKIP
LOCKED; on SQLite writers are serialised (BEGIN IMMEDIATE). A worker killed mid-batch leaves
its claimed rows 'sending'; once their lease runs out another worker takes them. A row whose
send was accepted by Twilio before the kill has been marked sent by then through Twilio's
status callback (it carries the row id), so it is not sent twice."""

import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from feedback.domain.backoff import retry_delay
from feedback.extensions import db
from feedback.models import Outbox, utcnow
from feedback.sms.gateway import SendError, SmsGateway

LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class SendPolicy:
    max_attempts: int
    retry_seconds: int
    # Per channel, the delivery-report URL template with {id}; a channel without one: none.
    status_callbacks: Mapping[str, str]


@dataclass
class BatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


def claim(worker: str, limit: int, now: datetime | None = None) -> list[int]:
    """Take up to `limit` rows due for sending (or abandoned past their lease) for `worker`."""
    now = now or utcnow()
    due = sa.or_(
        sa.and_(Outbox.status == "pending", Outbox.next_attempt_at <= now),
        sa.and_(Outbox.status == "sending", Outbox.claimed_at < now - LEASE),
    )
    query = sa.select(Outbox.id).where(due).order_by(Outbox.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(
            sa.update(Outbox)
            .where(Outbox.id.in_(ids))
            .values(status="sending", claimed_by=worker, claimed_at=now)
        )
    db.session.commit()
    return ids


def gateway_for(gateways: Mapping[str, SmsGateway], channel: str) -> SmsGateway:
    """The channel's own gateway, else the general 'sms' one."""
    return gateways.get(channel) or gateways["sms"]


def send_claimed(
    worker: str,
    outbox_id: int,
    gateways: Mapping[str, SmsGateway],
    policy: SendPolicy,
    result: BatchResult,
) -> None:
    """Send one claimed row through its channel's gateway; record the outcome in one commit.

    The row stays locked until then, so a delivery report that arrives before our commit
    (Kannel's can) waits, rather than being overwritten by 'sent'."""
    row = db.session.get(Outbox, outbox_id, with_for_update=True)
    if row is None or row.status != "sending" or row.claimed_by != worker:
        db.session.rollback()
        return  # its lease ran out and another worker has it now
    now = utcnow()
    row.attempts += 1
    template = policy.status_callbacks.get(row.channel)
    callback = template.format(id=row.id) if template else None
    try:
        row.external_id = gateway_for(gateways, row.channel).send(row.to_number, row.body, callback)
    except SendError as error:
        row.last_error = str(error)[:500]
        if error.retryable and row.attempts < policy.max_attempts:
            row.status = "pending"
            row.next_attempt_at = now + retry_delay(row.attempts, policy.retry_seconds)
            result.retried += 1
        else:
            row.status = "failed"
            result.failed += 1
    else:
        row.status = "sent"
        row.sent_at = now
        result.sent += 1
    row.claimed_by = None
    db.session.commit()


def send_due(
    worker: str, gateways: Mapping[str, SmsGateway], policy: SendPolicy, batch: int = 20
) -> BatchResult:
    """Claim and send until nothing is due; returns what happened."""
    result = BatchResult()
    while ids := claim(worker, batch):
        for outbox_id in ids:
            send_claimed(worker, outbox_id, gateways, policy, result)
    return result


# Twilio's MessageStatus, and Kannel's DLR types, to our delivery states.
DELIVERY_STATES = {
    "queued": "sent",
    "accepted": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "undelivered",
}


def record_delivery(
    outbox_id: int | None, message_sid: str | None, state: str, error_code: str | None
) -> bool:
    """Twilio's status callback: a row is found by the id in the callback URL (set before
    the send, so it works even if the worker died before recording the sid) or by sid."""
    row = db.session.get(Outbox, outbox_id) if outbox_id else None
    if row is None and message_sid:
        row = db.session.scalar(sa.select(Outbox).where(Outbox.external_id == message_sid))
    status = DELIVERY_STATES.get(state)
    if row is None or status is None:
        return False
    now = utcnow()
    row.external_id = row.external_id or message_sid
    if status == "sent" and row.status in ("sending", "pending"):
        row.status, row.sent_at, row.claimed_by = "sent", row.sent_at or now, None
    elif status == "delivered":
        row.status, row.delivered_at = "delivered", now
    elif status == "undelivered":
        row.status = "undelivered"
        row.last_error = f"delivery error {error_code}" if error_code else "undelivered"
    db.session.commit()
    return True
