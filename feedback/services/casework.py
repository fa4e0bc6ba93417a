"""Officers working tickets: each action is one transaction that changes the ticket, records
its TicketEvents and queues the citizen's SMS, or changes nothing at all. A change of category
or directorate is also kept as a correction the parser can learn from.

An officer or manager reaches only their own directorate's tickets; to anyone else a ticket of
another directorate does not exist (NotFound), so guessing references reveals nothing. The
governorate reads every ticket and adds internal notes, and changes none."""

from datetime import datetime

import sqlalchemy as sa

from feedback.domain import sla
from feedback.domain.corrections import CorrectionKind
from feedback.domain.events import EventKind
from feedback.domain.lifecycle import (
    InvalidTransition,
    MissingMessage,
    Status,
    can_transfer,
    plan,
)
from feedback.domain.roles import DIRECTORATE_ROLES, Role
from feedback.domain.routing import route
from feedback.extensions import db
from feedback.models import Category, Directorate, Ticket, User, utcnow
from feedback.models.incidents import Incident
from feedback.services.corrections import codes_of, record_correction
from feedback.services.errors import NotFound, all_or_nothing
from feedback.services.events import record_event
from feedback.services.incidents import leave_incident
from feedback.services.notify import queue_notice
from feedback.services.parser_cache import load_knowledge
from feedback.services.rows import by_code
from feedback.services.ticket_status import change_status
from feedback.services.tickets import ticket_by_reference


class UnknownDirectorate(Exception):
    """A transfer to a directorate that does not exist, or to the ticket's own."""


class UnknownCategory(Exception):
    """A change to a category that does not exist or is not in use, or to the ticket's own."""


class UnknownOfficer(Exception):
    """An assignment to someone who is not an active officer of the ticket's directorate."""


def may_read(user: User, work: Ticket | Incident) -> bool:
    """Admins and the governorate read everything; officers and managers their directorate's."""
    if user.role in (Role.ADMIN, Role.GOVERNORATE):
        return True
    return user.role in DIRECTORATE_ROLES and work.directorate_id == user.directorate_id


def may_work_on(user: User, work: Ticket | Incident) -> bool:
    """What a user may read they may change, except the governorate, which only reads."""
    return user.role != Role.GOVERNORATE and may_read(user, work)


def ticket_for(user: User, reference: str, lock: bool = False) -> Ticket:
    """The ticket if `user` may work on it; `lock` holds its row until commit (PostgreSQL)."""
    ticket = ticket_by_reference(reference, lock)
    if ticket is None or not may_work_on(user, ticket):
        raise NotFound(reference)  # not one this user may see: no different
    return ticket


def ticket_to_read(user: User, reference: str) -> Ticket:
    """The ticket if `user` may read it."""
    ticket = ticket_by_reference(reference)
    if ticket is None or not may_read(user, ticket):
        raise NotFound(reference)
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


@all_or_nothing
def transfer(user: User, reference: str, directorate_code: str, reason: str) -> Ticket:
    """Send a ticket to another directorate, which starts it afresh as new."""
    ticket = ticket_for(user, reference, lock=True)
    target = by_code(Directorate, directorate_code)
    if target is None:
        raise UnknownDirectorate(directorate_code)
    move_to(ticket, user, target, reason, utcnow())
    db.session.commit()
    return ticket


def move_to(ticket: Ticket, user: User, target: Directorate, reason: str, now: datetime) -> None:
    """A checked transfer (no commit), kept as a correction the parser can learn from too."""
    if not can_transfer(ticket.status):
        raise InvalidTransition(ticket.status, "transfer")
    if not (reason or "").strip():
        raise MissingMessage("transfer")
    if target.id == ticket.directorate_id:
        raise UnknownDirectorate(target.code)
    before = codes_of(ticket)
    move(ticket, user, target, reason, now)
    record_correction(ticket, CorrectionKind.TRANSFER, user, before, now)


@all_or_nothing
def change_category(user: User, reference: str, category_code: str, reason: str) -> Ticket:
    """Correct the parser: the ticket gets the category a person chose, with its deadline,
    and moves to the directorate the routing rules name for that category in its area when
    that is another one (none named: it stays). A ticket is recategorised only while it
    could be transferred."""
    ticket = ticket_for(user, reference, lock=True)
    category = by_code(Category, category_code)
    if not can_transfer(ticket.status):
        raise InvalidTransition(ticket.status, "category")
    if not (reason or "").strip():
        raise MissingMessage("category")
    if category is None or not category.active or category.id == ticket.category_id:
        raise UnknownCategory(category_code)
    now = utcnow()
    before = codes_of(ticket)
    target = _directorate_for(ticket, category.code)
    moves = target is not None and target.id != ticket.directorate_id
    record_event(
        ticket,
        EventKind.CATEGORY_CHANGED,
        at=now,
        actor=user,
        actor_label=Role.OFFICER,
        # The reason is said once on the timeline: with the transfer when there is one.
        public_message=None if moves else reason.strip(),
        details={"from": before[0], "to": category.code},
    )
    set_category(ticket, category)
    ticket.updated_at = now
    if ticket.incident_id is not None:  # its incident is a fault of the old category
        leave_incident(ticket, user, f"category changed: {reason.strip()}", now)
    if moves:
        assert target is not None
        move(ticket, user, target, reason, now)
    record_correction(ticket, CorrectionKind.CATEGORY, user, before, now)
    db.session.commit()
    return ticket


def set_category(ticket: Ticket, category: Category) -> None:
    """A person chose the category: it is sure, and the deadline is that category's."""
    ticket.category = category
    ticket.category_confidence = 1.0
    ticket.due_at = sla.due_at(ticket.created_at, category.sla_hours)


def _directorate_for(ticket: Ticket, category_code: str) -> Directorate | None:
    """The directorate the routing rules send this category to in the ticket's area."""
    knowledge = load_knowledge()
    lineage = knowledge.lineage(knowledge.area_code(ticket.area_id))
    return by_code(Directorate, route(category_code, lineage, knowledge.rules).directorate)


def move(
    ticket: Ticket,
    user: User,
    target: Directorate,
    reason: str,
    now: datetime,
    with_incident: bool = False,
) -> None:
    """Send the ticket to `target`, where it starts afresh as new (no commit). Moved alone it
    leaves its incident, whose directorate stays, and the citizen is told why; moved
    `with_incident`, the caller moves the incident and tells each reporting phone once."""
    event = record_event(
        ticket,
        EventKind.TRANSFER,
        at=now,
        actor=user,
        actor_label=Role.OFFICER,
        from_status=ticket.status,
        to_status=Status.NEW,
        public_message=reason.strip(),
        details={
            "from": ticket.directorate.code if ticket.directorate else None,
            "to": target.code,
        },
    )
    ticket.directorate = target
    ticket.assigned_to_id = None  # its officer is not the new directorate's
    ticket.status = Status.NEW.value
    ticket.triage_reason = None
    ticket.updated_at = now
    if with_incident:
        return
    if ticket.incident_id is not None:
        leave_incident(ticket, user, f"transferred alone to {target.code}", now)
    queue_notice(ticket, "transferred", event.public_message or "")  # as stored: masked


def add_note(user: User, reference: str, note: str) -> Ticket:
    """An internal note: for colleagues, never shown publicly, never texted. Whoever may read
    the ticket may write one (the governor's office comments this way)."""
    ticket = ticket_to_read(user, reference)
    if not (note or "").strip():
        raise MissingMessage("note")
    record_event(
        ticket, EventKind.NOTE, actor=user, actor_label=user.role, internal_note=note.strip()
    )
    db.session.commit()
    return ticket


def officers_of(directorate_id: int | None) -> list[User]:
    """The active officers of a directorate, by name: whom its tickets may be assigned to."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.role == Role.OFFICER,
                User.active,
                User.directorate_id == directorate_id,
            )
            .order_by(User.name, User.id)
        )
    )


@all_or_nothing
def assign(user: User, reference: str, officer_id: int | None) -> Ticket:
    """A manager (or an admin) gives a ticket to one of its directorate's officers, whose
    "assigned to me" queue then has it; None puts it back in the shared queue only."""
    if user.role not in (Role.MANAGER, Role.ADMIN):
        raise NotFound(reference)
    ticket = ticket_for(user, reference, lock=True)
    officer = db.session.get(User, officer_id) if officer_id is not None else None
    if officer_id is not None and (
        officer is None
        or officer.role != Role.OFFICER
        or not officer.active
        or officer.directorate_id != ticket.directorate_id
    ):
        raise UnknownOfficer(officer_id)
    if (officer.id if officer else None) == ticket.assigned_to_id:
        return ticket  # nothing changes: no event either
    now = utcnow()
    record_event(
        ticket,
        EventKind.ASSIGNED,
        at=now,
        actor=user,
        actor_label=user.role,
        details={
            "from": ticket.assigned_to_id,
            "to": officer.id if officer else None,
            "to_username": officer.username if officer else None,
        },
    )
    ticket.assigned_to = officer
    ticket.updated_at = now
    db.session.commit()
    return ticket
