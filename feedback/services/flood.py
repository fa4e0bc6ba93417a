"""Flood control for inbound messages, counted from the messages stored in the database (never
in one process's memory), under the sender's number lock: exact with several web workers and
many requests at once, on PostgreSQL and SQLite."""

from datetime import datetime

import sqlalchemy as sa

from feedback.domain.events import CITIZEN, EventKind
from feedback.domain.inbound import InboundMessage
from feedback.domain.lifecycle import OPEN_STATUSES
from feedback.domain.limits import MessageHandling
from feedback.extensions import db
from feedback.models import Message, Ticket
from feedback.services.events import record_event


def _from_sender(
    channel: str | sa.BindParameter[str],
    sender: str | sa.BindParameter[str],
    since: datetime | sa.BindParameter[datetime],
) -> tuple[sa.ColumnElement[bool], ...]:
    """Values, or bound parameters of a statement built once."""
    return (
        Message.direction == "in",
        Message.channel == channel,
        Message.from_number == sender,
        Message.created_at > since,
    )


def received_since(
    channel: sa.BindParameter[str], sender: sa.BindParameter[str], since: sa.BindParameter[datetime]
) -> sa.Select[int]:
    """The query counting the sender's messages on this channel stored since `since`, for
    intake to read with the rest of what it knows of the sender (bound parameters, so the
    statement is built once); the message it is handling is stored with its answer, so it is
    not among them."""
    return sa.select(sa.func.count(Message.id)).where(*_from_sender(channel, sender, since))


def answered_over_limit_since(message: InboundMessage, since: datetime) -> bool:
    """Whether a message past the limit has been answered since `since`: one a window."""
    query = sa.select(Message.id).where(
        *_from_sender(message.channel, message.sender, since),
        Message.handling == MessageHandling.OVER_LIMIT,
        Message.reply_body.is_not(None),
        Message.reply_body != "",
    )
    return db.session.scalar(query.limit(1)) is not None


def latest_open_ticket(sender: str) -> Ticket | None:
    return db.session.scalar(
        sa.select(Ticket)
        .where(Ticket.citizen_phone == sender, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc())
        .limit(1)
    )


def add_follow_up(ticket: Ticket, record: Message, now: datetime) -> None:
    """The message joins `ticket`: its text for the staff, not the public page. A flood is
    unreviewed bulk text that anyone with a phone could write onto a public page."""
    record.ticket = ticket
    record_event(
        ticket,
        EventKind.FOLLOW_UP,
        at=now,
        actor_label=CITIZEN,
        internal_note=record.body,
        details={"message_id": record.id},
    )
