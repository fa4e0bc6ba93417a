"""Officers working tickets: each action is one transaction that changes the ticket, records
one TicketEvent and queues the citizen's SMS, or changes nothing at all.

An officer reaches only their own directorate's tickets; to anyone else a ticket of another
directorate does not exist (TicketNotFound), so guessing references reveals nothing."""

from datetime import datetime

import sqlalchemy as sa

from feedback.domain.lifecycle import (
    InvalidTransition,
    MissingMessage,
    Status,
    can_transfer,
    plan,
)
from feedback.extensions import db
from feedback.models import Directorate, Ticket, TicketEvent, User, utcnow
from feedback.services.notify import queue_notice
from feedback.services.tickets import ticket_by_reference

# The notice each new status sends the citizen.
NOTICE_FOR = {
    Status.ACKNOWLEDGED: "acknowledged",
    Status.IN_PROGRESS: "in_progress",
    Status.RESOLVED: "resolved",
    Status.REJECTED: "rejected",
    Status.REOPENED: "reopened",
}


class TicketNotFound(Exception):
    """No such ticket, or not one this user may see."""


class UnknownDirectorate(Exception):
    """A transfer to a directorate that does not exist, or to the ticket's own."""


def may_work_on(user: User, ticket: Ticket) -> bool:
    if user.role == "admin":
        return True
    return user.role == "officer" and ticket.directorate_id == user.directorate_id


def ticket_for(user: User, reference: str, lock: bool = False) -> Ticket:
    """The ticket if `user` may work on it; `lock` holds its row until commit (PostgreSQL)."""
    ticket = ticket_by_reference(reference, lock)
    if ticket is None or not may_work_on(user, ticket):
        raise TicketNotFound(reference)
    return ticket


def act(
    user: User,
    reference: str,
    action: str,
    public_message: str | None = None,
    internal_note: str | None = None,
) -> Ticket:
    """Acknowledge, start, resolve, reject or close a ticket."""
    ticket = ticket_for(user, reference, lock=True)
    try:
        target = plan(action, ticket.status, public_message)
    except (InvalidTransition, MissingMessage):
        db.session.rollback()
        raise
    change_status(ticket, target, user, public_message, internal_note)
    db.session.commit()
    return ticket


def change_status(
    ticket: Ticket,
    target: Status,
    user: User | None,
    public_message: str | None,
    internal_note: str | None = None,
    actor_label: str = "officer",
    notify: bool = True,
    at: datetime | None = None,
) -> None:
    """Apply an already-checked status change, its event and its notice (no commit); `at`
    backdates it (the demo seed writes 90 days of history)."""
    now = at or utcnow()
    event = TicketEvent(
        created_at=now,
        actor=user,
        actor_label=actor_label,
        kind="status",
        from_status=ticket.status,
        to_status=target.value,
        public_message=(public_message or "").strip() or None,
        internal_note=(internal_note or "").strip() or None,
    )
    ticket.events.append(event)
    ticket.status = target.value
    ticket.updated_at = now
    if target == Status.ACKNOWLEDGED and ticket.acknowledged_at is None:
        ticket.acknowledged_at = now
    if target in (Status.RESOLVED, Status.REJECTED):
        ticket.resolved_at = now
    if target == Status.CLOSED:
        ticket.closed_at = now
    if notify and target in NOTICE_FOR:
        queue_notice(ticket, NOTICE_FOR[target], event.public_message or "")  # as stored: masked


def transfer(user: User, reference: str, directorate_code: str, reason: str) -> Ticket:
    """Send a ticket to another directorate, which starts it afresh as new."""
    ticket = ticket_for(user, reference, lock=True)
    target = db.session.scalar(sa.select(Directorate).where(Directorate.code == directorate_code))
    problem: Exception | None = None
    if not can_transfer(ticket.status):
        problem = InvalidTransition(ticket.status, "transfer")
    elif not (reason or "").strip():
        problem = MissingMessage("transfer")
    elif target is None or target.id == ticket.directorate_id:
        problem = UnknownDirectorate(directorate_code)
    if problem is not None:
        db.session.rollback()
        raise problem
    assert target is not None  # else a problem was raised
    now = utcnow()
    event = TicketEvent(
        created_at=now,
        actor=user,
        actor_label="officer",
        kind="transfer",
        from_status=ticket.status,
        to_status=Status.NEW.value,
        public_message=reason.strip(),
        details={
            "from": ticket.directorate.code if ticket.directorate else None,
            "to": target.code,
        },
    )
    ticket.events.append(event)
    ticket.directorate = target
    ticket.status = Status.NEW.value
    ticket.triage_reason = None
    ticket.updated_at = now
    queue_notice(ticket, "transferred", event.public_message or "")  # as stored: masked
    db.session.commit()
    return ticket


def add_note(user: User, reference: str, note: str) -> Ticket:
    """An internal note: for colleagues, never shown publicly, never texted."""
    ticket = ticket_for(user, reference)
    if not (note or "").strip():
        raise MissingMessage("note")
    ticket.events.append(
        TicketEvent(
            created_at=utcnow(),
            actor=user,
            actor_label="officer",
            kind="note",
            internal_note=note.strip(),
        )
    )
    db.session.commit()
    return ticket
