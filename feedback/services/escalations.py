"""Sending late and not-fixed tickets up (feedback.domain.escalation): to the directorate's
managers, then to the governor's office; each rung an Escalation row and a public event.

The row's unique key (ticket, rung, reason) is the guard: two `sla-check` runs at once, or a
retried webhook, insert it once; the loser's savepoint rolls back and it moves on."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from feedback.domain.escalation import (
    DIGEST_SMS,
    EscalationLevel,
    EscalationReason,
    next_level,
    overdue_levels,
)
from feedback.domain.events import EventKind
from feedback.domain.lifecycle import OPEN_STATUSES
from feedback.domain.roles import Role
from feedback.extensions import db
from feedback.models import Ticket, User, utcnow
from feedback.models.escalations import Escalation, EscalationDigest
from feedback.services.errors import NotFound
from feedback.services.events import record_event
from feedback.services.notify import queue_to

# How far back a daily digest looks.
DIGEST_PERIOD = timedelta(days=1)


def escalate_overdue(now: datetime | None = None) -> int:
    """Send every open, routed, late ticket up to each rung its lateness has reached and it
    has not yet been sent to for lateness (see the module doc); how many escalations that made."""
    now = now or utcnow()
    at_top = sa.exists().where(
        Escalation.ticket_id == Ticket.id,
        Escalation.reason == EscalationReason.OVERDUE,
        Escalation.level == EscalationLevel.GOVERNORATE,
    )
    late = db.session.scalars(
        sa.select(Ticket)
        .where(
            Ticket.status.in_([status.value for status in OPEN_STATUSES]),
            Ticket.directorate_id.is_not(None),
            Ticket.due_at < now,
            ~at_top,
        )
        .order_by(Ticket.id)
    ).all()
    reached = _reached([ticket.id for ticket in late], EscalationReason.OVERDUE)
    made = 0
    for ticket in late:
        for level in overdue_levels(ticket.created_at, ticket.due_at, now):
            if level not in reached.get(ticket.id, set()):
                made += _escalate(ticket, level, EscalationReason.OVERDUE, now) is not None
    db.session.commit()
    return made


def escalate_now(
    ticket_id: int, reason: EscalationReason, now: datetime | None = None
) -> Escalation | None:
    """Send a ticket up at once for `reason` (a citizen's "not fixed"), one rung higher than
    the last time for that reason: the directorate's managers first, the governorate the next
    time. None when it has reached the top for that reason already. Part of the caller's
    transaction: it flushes, never commits."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(str(ticket_id))
    level = next_level(_reached([ticket_id], reason).get(ticket_id, set()))
    if level is None:
        return None
    return _escalate(ticket, level, reason, now or utcnow())


def _reached(ticket_ids: list[int], reason: EscalationReason) -> dict[int, set[EscalationLevel]]:
    """The rungs each ticket has been sent to for `reason`."""
    reached: dict[int, set[EscalationLevel]] = {}
    rows = db.session.execute(
        sa.select(Escalation.ticket_id, Escalation.level).where(
            Escalation.ticket_id.in_(ticket_ids), Escalation.reason == reason
        )
    )
    for ticket_id, level in rows:
        reached.setdefault(ticket_id, set()).add(EscalationLevel(level))
    return reached


def _escalate(
    ticket: Ticket, level: EscalationLevel, reason: EscalationReason, now: datetime
) -> Escalation | None:
    """The escalation and its public event; None when another run made it first."""
    escalation = Escalation(
        ticket_id=ticket.id,
        level=level.value,
        reason=reason.value,
        directorate_id=ticket.directorate_id,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(escalation)
    except IntegrityError:
        return None
    record_event(ticket, EventKind.ESCALATED, at=now, details={"level": level, "reason": reason})
    ticket.updated_at = now
    return escalation


# ---------------------------------------------------------------- who sees them


def _visible_to(user: User) -> list[sa.ColumnElement[bool]]:
    """A manager sees their directorate's escalations; the governorate and admins all."""
    if user.role == Role.MANAGER:
        return [Escalation.directorate_id == user.directorate_id]
    return []


@dataclass(frozen=True)
class EscalationPage:
    escalations: list[Escalation]  # newest first
    open_tickets: int  # escalated tickets of these that are still open


def escalations_for(user: User, limit: int = 200) -> EscalationPage:
    """The escalations `user` receives, newest first, with their tickets."""
    rows = db.session.scalars(
        sa.select(Escalation)
        .where(*_visible_to(user))
        .options(
            selectinload(Escalation.ticket).selectinload(Ticket.category),
            selectinload(Escalation.directorate),
        )
        .order_by(Escalation.created_at.desc(), Escalation.id.desc())
        .limit(limit)
    ).all()
    return EscalationPage(list(rows), _open_escalated(user))


def _open_escalated(user: User) -> int:
    escalated = sa.select(Escalation.ticket_id).where(*_visible_to(user))
    return (
        db.session.scalar(
            sa.select(sa.func.count(Ticket.id)).where(
                Ticket.id.in_(escalated),
                Ticket.status.in_([status.value for status in OPEN_STATUSES]),
            )
        )
        or 0
    )


# ---------------------------------------------------------------- the daily digest


@dataclass(frozen=True)
class Digest:
    """What one recipient is told: the escalations of the last day, and how many escalated
    tickets they receive are still open."""

    username: str
    email: str | None
    phone: str | None
    escalations: list[Escalation]
    open_tickets: int


def queue_digests(url: str, now: datetime | None = None) -> list[Digest]:
    """Each active manager's and governorate user's digest of the escalations since their
    last one (the last day, for a first one), its SMS queued (through the outbox, to their
    staff phone) and committed with the new high-water mark; the caller emails those with an
    address, after the commit. Nobody is told of a day without escalations. The recipients
    are locked, so two runs at once tell each escalation once."""
    now = now or utcnow()
    recipients = db.session.scalars(
        sa.select(User)
        .where(User.active, User.role.in_([Role.MANAGER, Role.GOVERNORATE]))
        .order_by(User.id)
        .with_for_update()
    ).all()
    sent = {
        row.user_id: row
        for row in db.session.scalars(
            sa.select(EscalationDigest).where(
                EscalationDigest.user_id.in_([user.id for user in recipients])
            )
        )
    }
    digests = []
    for user in recipients:
        mark = sent.get(user.id) or EscalationDigest(user_id=user.id)
        since = mark.sent_until or now - DIGEST_PERIOD
        mark.sent_until = now
        db.session.add(mark)
        new = db.session.scalars(
            sa.select(Escalation)
            .where(*_visible_to(user), Escalation.created_at > since, Escalation.created_at <= now)
            .options(
                selectinload(Escalation.ticket).selectinload(Ticket.category),
                selectinload(Escalation.directorate),
            )
            .order_by(Escalation.created_at, Escalation.id)
        ).all()
        if not new:
            continue
        digest = Digest(user.username, user.email, user.phone, list(new), _open_escalated(user))
        if user.phone:
            body = DIGEST_SMS.format(new=len(new), open=digest.open_tickets, url=url)
            queue_to(user.phone, body, "ar")
        digests.append(digest)
    db.session.commit()
    return digests
