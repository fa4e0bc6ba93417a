"""The cron side of deadlines: recording that a ticket went overdue (once), that a citizen
asked "is it fixed?" did not answer in time (unconfirmed), and closing resolved tickets once
the citizen can no longer reopen them.

A resolution's life: resolved, which asks the citizen -> confirmed fixed (1), or not fixed (2,
reopened with priority), or unconfirmed after CONFIRM_WINDOW; then, still resolved past the
REOPEN_WINDOW (longer), closed. sla-check records the unconfirmed before it closes, so a
ticket it had not seen for weeks is counted unconfirmed before it is closed."""

from datetime import datetime

import sqlalchemy as sa

from feedback.domain.confirmation import CONFIRM_WINDOW
from feedback.domain.events import EventKind
from feedback.domain.lifecycle import OPEN_STATUSES, REOPEN_WINDOW, Status
from feedback.extensions import db
from feedback.models import Ticket, TicketEvent, utcnow
from feedback.services.events import record_event
from feedback.services.ticket_status import change_status


def record_overdue(now: datetime | None = None) -> int:
    """One 'overdue' event for each open ticket past its deadline that has none yet."""
    now = now or utcnow()
    already = sa.exists().where(
        TicketEvent.ticket_id == Ticket.id, TicketEvent.kind == EventKind.OVERDUE
    )
    late = db.session.scalars(
        sa.select(Ticket).where(
            Ticket.status.in_([s.value for s in OPEN_STATUSES]),
            Ticket.due_at < now,
            ~already,
        )
    ).all()
    for ticket in late:
        assert ticket.due_at is not None  # the query's due_at < now
        details = {"due_at": ticket.due_at.isoformat()}
        record_event(ticket, EventKind.OVERDUE, at=now, details=details)
    db.session.commit()
    return len(late)


def record_unconfirmed(now: datetime | None = None) -> int:
    """One 'unconfirmed' step for each ticket whose citizen was asked "is it fixed?" more
    than CONFIRM_WINDOW ago and has not answered; the question is then no longer awaited."""
    now = now or utcnow()
    silent = db.session.scalars(
        sa.select(Ticket)
        .where(Ticket.fix_asked_at < now - CONFIRM_WINDOW)
        .order_by(Ticket.id)
        .with_for_update()
    ).all()
    for ticket in silent:
        assert ticket.fix_asked_at is not None  # the query's fix_asked_at < ...
        details = {"asked_at": ticket.fix_asked_at.isoformat()}
        record_event(ticket, EventKind.UNCONFIRMED, at=now, details=details)
        ticket.fix_asked_at = None
        ticket.updated_at = now
    db.session.commit()
    return len(silent)


def close_quiet(now: datetime | None = None) -> int:
    """Resolved or rejected tickets past the reopen window become closed."""
    now = now or utcnow()
    quiet = db.session.scalars(
        sa.select(Ticket).where(
            Ticket.status.in_([Status.RESOLVED.value, Status.REJECTED.value]),
            Ticket.resolved_at < now - REOPEN_WINDOW,
        )
    ).all()
    for ticket in quiet:
        change_status(ticket, Status.CLOSED, None, None, actor_label="system", notify=False)
    db.session.commit()
    return len(quiet)
