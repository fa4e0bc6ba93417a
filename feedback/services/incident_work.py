"""Officers working incidents (issue 14): declaring an outage, acting once for all the tickets
of an incident, moving a ticket out of one or into one by hand, and transferring an incident
with its tickets. Each function is one transaction, all or nothing; each reporting phone gets
one SMS per change however many of its tickets the incident holds.

As with tickets, an officer reaches only their own directorate's incidents; to anyone else
another directorate's incident does not exist (NotFound)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from feedback.domain import incidents as rule
from feedback.domain.corrections import CorrectionKind
from feedback.domain.events import EventKind
from feedback.domain.follow import FollowNews
from feedback.domain.lifecycle import OPEN_STATUSES, MissingMessage, Status, path
from feedback.domain.roles import DIRECTORATE_ROLES, Role
from feedback.domain.routing import route
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, RoutingRule, Ticket, User, utcnow
from feedback.models.incidents import Incident, IncidentEvent
from feedback.services.casework import (
    UnknownDirectorate,
    may_read,
    may_work_on,
    move,
    ticket_for,
)
from feedback.services.corrections import codes_of, record_correction
from feedback.services.errors import NotFound, Refused, all_or_nothing
from feedback.services.events import record_event
from feedback.services.follow import tell_followers
from feedback.services.incidents import gather_declared, leave_incident
from feedback.services.notify import queue_notice
from feedback.services.parser_cache import load_knowledge
from feedback.services.rows import by_code
from feedback.services.ticket_status import NOTICE_FOR, ask_if_fixed, change_status

MOVED_IN_BY_HAND = "moved in by hand"
# The notice each reporting phone gets for an incident action; a resolution asks whether it
# is fixed (ask_if_fixed), once to each phone.
NOTICE_OF = {
    rule.IncidentAction.ACKNOWLEDGE: NOTICE_FOR[Status.ACKNOWLEDGED],
    rule.IncidentAction.UPDATE: "incident_update",
    rule.IncidentAction.REJECT: NOTICE_FOR[Status.REJECTED],
}
# What those following the incident's areas hear of an action: an acknowledgement or update
# only with a public message; nothing of a rejection (it was no incident of theirs).
FOLLOW_NEWS_OF = {
    rule.IncidentAction.ACKNOWLEDGE: FollowNews.UPDATED,
    rule.IncidentAction.UPDATE: FollowNews.UPDATED,
    rule.IncidentAction.RESOLVE: FollowNews.RESOLVED,
}


@dataclass(frozen=True)
class IncidentRow:
    """An incident as the list of a directorate's incidents shows it."""

    incident: Incident
    reports: int


def incident_for(user: User, incident_id: int, lock: bool = False) -> Incident:
    """The incident if `user` may work on it; `lock` holds its row until commit (PostgreSQL)."""
    query = sa.select(Incident).where(Incident.id == incident_id)
    incident = db.session.scalar(query.with_for_update() if lock else query)
    if incident is None or not may_work_on(user, incident):
        raise NotFound(str(incident_id))
    return incident


def incident_to_read(user: User, incident_id: int) -> Incident:
    """The incident if `user` may read it (the governorate reads every directorate's)."""
    incident = db.session.get(Incident, incident_id)
    if incident is None or not may_read(user, incident):
        raise NotFound(str(incident_id))
    return incident


def incidents_of(user: User, limit: int = 200) -> list[IncidentRow]:
    """The incidents the user works on (an admin: all), those still taking reports first, the
    latest reported first, each with its number of tickets and supporters."""
    count = (
        sa.select(sa.func.count(Ticket.id))
        .where(Ticket.incident_id == Incident.id)
        .correlate(Incident)
        .scalar_subquery()
    )
    taking = sa.case((Incident.status.in_([s.value for s in rule.TAKES_REPORTS]), 0), else_=1)
    query = (
        sa.select(Incident, count)
        .options(selectinload(Incident.areas), selectinload(Incident.category))
        .order_by(taking, Incident.last_report_at.desc(), Incident.id.desc())
        .limit(limit)
    )
    if user.role in DIRECTORATE_ROLES:
        query = query.where(Incident.directorate_id == user.directorate_id)
    return [
        IncidentRow(incident, tickets + incident.supporters)
        for incident, tickets in db.session.execute(query)
    ]


def members(incident: Incident) -> list[Ticket]:
    """The incident's tickets, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Ticket).where(Ticket.incident_id == incident.id).order_by(Ticket.id)
        )
    )


def incidents_to_join(user: User, ticket: Ticket) -> list[Incident]:
    """The incidents an officer may move `ticket` into by hand: those of its directorate and
    category still taking reports, latest reported first."""
    if ticket.incident_id is not None or ticket.status not in OPEN_STATUSES:
        return []
    return list(
        db.session.scalars(
            sa.select(Incident)
            .where(
                Incident.directorate_id == ticket.directorate_id,
                Incident.category_id == ticket.category_id,
                Incident.status.in_([s.value for s in rule.TAKES_REPORTS]),
            )
            .order_by(Incident.last_report_at.desc())
        )
    )


@all_or_nothing
def declare(
    user: User,
    category_code: str,
    area_codes: Sequence[str],
    expected_end: datetime,
    message_ar: str,
    message_en: str,
) -> Incident:
    """An outage the directorate knows of: every report of its category from inside its areas
    joins it while it lasts, and is told its message and expected end; those already waiting
    join it at once. An officer declares for their directorate; an admin for the one the
    routing rules name there."""
    now = utcnow()
    category = by_code(Category, category_code)
    if category is None or not category.active:
        raise Refused("category", "unknown_category")
    areas = [by_code(Area, code) for code in dict.fromkeys(area_codes)]
    if not areas or any(area is None for area in areas):
        raise Refused("areas", "unknown_area")
    if not (message_ar or "").strip() and not (message_en or "").strip():
        raise Refused("message_ar", "message_needed")
    if expected_end <= now:
        raise Refused("expected_end", "end_passed")
    places = [area for area in areas if area is not None]
    directorate = _routed(category, places)
    if directorate is None:
        raise Refused("category", "no_directorate")
    if user.role in DIRECTORATE_ROLES and directorate.id != user.directorate_id:
        # Its complaints go to another directorate: it would catch none of them.
        raise Refused("category", "not_your_directorate")
    points = [(a.lat, a.lon) for a in places if a.lat is not None and a.lon is not None]
    incident = Incident(
        category=category,
        directorate=directorate,
        status=rule.IncidentStatus.OPEN.value,
        origin=rule.Origin.DECLARED.value,
        centre_lat=sum(p[0] for p in points) / len(points) if points else None,
        centre_lon=sum(p[1] for p in points) / len(points) if points else None,
        opened_at=now,
        last_report_at=now,
        updated_at=now,
        expected_end=expected_end,
        declared_by=user,
    )
    incident.areas = places
    incident.events.append(
        IncidentEvent(
            created_at=now,
            actor=user,
            actor_label=Role.OFFICER,
            kind=rule.IncidentEventKind.DECLARED,
            public_message_ar=(message_ar or "").strip() or None,
            public_message_en=(message_en or "").strip() or None,
            details={"expected_end": expected_end.isoformat()},
        )
    )
    db.session.add(incident)
    db.session.flush()  # its id goes on the complaints it gathers
    knowledge = load_knowledge()
    gather_declared(knowledge, incident, now)
    tell_followers(knowledge, incident, FollowNews.DECLARED, incident.events[0], now)
    db.session.commit()
    return incident


@all_or_nothing
def act_on_incident(
    user: User,
    incident_id: int,
    action: str,
    message_ar: str = "",
    message_en: str = "",
    internal_note: str = "",
) -> Incident:
    """Acknowledge, update, resolve or reject an incident once: one step on its timeline, the
    matching change on each of its open tickets that the ticket's status allows (the others
    are left as they are), and one SMS to each phone that reported, naming its own reference.
    Resolving a declared outage ends it."""
    incident = incident_for(user, incident_id, lock=True)
    message_ar, message_en = (message_ar or "").strip(), (message_en or "").strip()
    chosen = rule.plan_action(action, incident.status, bool(message_ar or message_en))
    now = utcnow()
    step = IncidentEvent(
        created_at=now,
        actor=user,
        actor_label=Role.OFFICER,
        kind=rule.STEP_OF[chosen],
        public_message_ar=message_ar or None,
        public_message_en=message_en or None,
        internal_note=(internal_note or "").strip() or None,
    )
    incident.events.append(step)
    _set_status(incident, rule.INCIDENT_TARGET[chosen], now)
    acted = [
        ticket
        for ticket in _open_members(incident)
        if _apply(ticket, chosen, user, step, incident, now)
    ]
    for ticket in _first_of_each_phone(acted):
        message = step.public_message(ticket.language) or ""
        if chosen is rule.IncidentAction.RESOLVE:
            ask_if_fixed(ticket, message, now)
        else:
            queue_notice(ticket, NOTICE_OF[chosen], message)
    news = FOLLOW_NEWS_OF.get(chosen)
    if news is not None and (news is FollowNews.RESOLVED or message_ar or message_en):
        tell_followers(load_knowledge(), incident, news, step, now)
    step.details = {"tickets": len(acted)}
    db.session.commit()
    return incident


@all_or_nothing
def remove_ticket(user: User, incident_id: int, reference: str, reason: str) -> Ticket:
    """Take a ticket out of the incident: it was not the same problem. The reason is for
    staff. A ticket in another incident (a stale page) is left where it is."""
    ticket = ticket_for(user, reference, lock=True)
    if ticket.incident_id is None or ticket.incident_id != incident_id:
        raise Refused(None, "not_in_incident")
    if not (reason or "").strip():
        raise MissingMessage("remove")
    leave_incident(ticket, user, reason.strip(), utcnow())
    db.session.commit()
    return ticket


@all_or_nothing
def add_ticket(user: User, reference: str, incident_id: int) -> Ticket:
    """Put an open ticket into an incident of its directorate that still takes reports: a
    report of the same fault that grouping missed."""
    ticket = ticket_for(user, reference, lock=True)
    incident = incident_for(user, incident_id, lock=True)
    if ticket.incident_id is not None:
        raise Refused("incident", "already_in_incident")
    if ticket.status not in OPEN_STATUSES or incident.status not in rule.TAKES_REPORTS:
        raise Refused("incident", "not_open")
    if ticket.directorate_id != incident.directorate_id:
        raise Refused("incident", "other_directorate")
    put_in_incident(user, ticket, incident, utcnow())
    db.session.commit()
    return ticket


def put_in_incident(user: User, ticket: Ticket, incident: Incident, now: datetime) -> None:
    """Put a ticket in an incident by hand, in the caller's transaction: its timeline and the
    incident's say so; no SMS."""
    step = rule.IncidentEventKind.TICKET_ADDED
    ticket.incident_id = incident.id
    ticket.incident_reason = MOVED_IN_BY_HAND
    ticket.updated_at = now
    record_event(
        ticket,
        EventKind.INCIDENT,
        at=now,
        actor=user,
        actor_label=Role.OFFICER,
        details={"incident": incident.id, "why": MOVED_IN_BY_HAND, "step": step.value},
    )
    incident.events.append(
        IncidentEvent(
            created_at=now,
            actor=user,
            actor_label=Role.OFFICER,
            kind=step,
            details={"ticket": ticket.reference},
        )
    )
    if ticket.area is not None and ticket.area not in incident.areas:
        incident.areas.append(ticket.area)
    incident.last_report_at = max(incident.last_report_at, ticket.created_at)
    incident.updated_at = now


@all_or_nothing
def transfer_incident(user: User, incident_id: int, directorate_code: str, reason: str) -> Incident:
    """Send an incident to another directorate with its open tickets, each starting afresh as
    new there; each reporting phone is told once. Closed tickets stay where they were
    answered."""
    incident = incident_for(user, incident_id, lock=True)
    target = by_code(Directorate, directorate_code)
    if incident.status not in rule.TAKES_REPORTS:
        raise Refused(None, "not_open")
    if not (reason or "").strip():
        raise MissingMessage("transfer")
    if target is None or target.id == incident.directorate_id:
        raise UnknownDirectorate(directorate_code)
    now = utcnow()
    step = IncidentEvent(
        created_at=now,
        actor=user,
        actor_label=Role.OFFICER,
        kind=rule.IncidentEventKind.TRANSFERRED,
        public_message_ar=reason.strip(),
        public_message_en=reason.strip(),
        details={"from": incident.directorate.code if incident.directorate else None,
                 "to": target.code},
    )  # fmt: skip
    incident.events.append(step)
    incident.directorate = target
    incident.status = rule.IncidentStatus.OPEN.value  # the new directorate has not seen it yet
    incident.acknowledged_at = None
    incident.updated_at = now
    moved = _open_members(incident)
    for ticket in moved:
        before = codes_of(ticket)
        move(ticket, user, target, reason, now, with_incident=True)
        record_correction(ticket, CorrectionKind.TRANSFER, user, before, now)
    for ticket in _first_of_each_phone(moved):
        queue_notice(ticket, "transferred", step.public_message(ticket.language) or "")
    db.session.commit()
    return incident


def declarable_categories(user: User) -> set[str] | None:
    """The codes of the categories some routing rule sends to the officer's directorate (the
    outages they may declare); None for an admin, who may declare any."""
    if user.role not in DIRECTORATE_ROLES:
        return None
    query = (
        sa.select(Category.code)
        .join(RoutingRule, RoutingRule.category_id == Category.id)
        .where(RoutingRule.directorate_id == user.directorate_id)
    )
    return set(db.session.scalars(query))


def _routed(category: Category, areas: list[Area]) -> Directorate | None:
    """The directorate the routing rules give the category in the first of the areas."""
    knowledge = load_knowledge()
    found = route(category.code, knowledge.lineage(areas[0].code), knowledge.rules)
    return by_code(Directorate, found.directorate)


def _open_members(incident: Incident) -> list[Ticket]:
    """The incident's open tickets, oldest first, locked until commit (PostgreSQL)."""
    return list(
        db.session.scalars(
            sa.select(Ticket)
            .where(
                Ticket.incident_id == incident.id,
                Ticket.status.in_([status.value for status in OPEN_STATUSES]),
            )
            .order_by(Ticket.id)
            .with_for_update()
        )
    )


def _set_status(incident: Incident, target: rule.IncidentStatus | None, now: datetime) -> None:
    incident.updated_at = now
    if target is None:
        return
    incident.status = target.value
    if target is rule.IncidentStatus.ACKNOWLEDGED and incident.acknowledged_at is None:
        incident.acknowledged_at = now
    if target in (rule.IncidentStatus.RESOLVED, rule.IncidentStatus.REJECTED):
        incident.resolved_at = now


def _apply(
    ticket: Ticket,
    action: rule.IncidentAction,
    user: User,
    step: IncidentEvent,
    incident: Incident,
    now: datetime,
) -> bool:
    """The action on one ticket, by way of the statuses the machine requires, the incident's
    message in the ticket's language on the last step; False when its status does not allow
    it."""
    message = step.public_message(ticket.language) or ""  # as stored: masked
    internal_note = step.internal_note
    target = rule.TICKET_TARGET[action]
    if target is None:
        record_event(
            ticket,
            EventKind.INCIDENT,
            at=now,
            actor=user,
            actor_label=Role.OFFICER,
            public_message=message or None,
            internal_note=internal_note,
            details={"incident": incident.id, "step": rule.IncidentEventKind.UPDATED.value},
        )
        return True
    steps = path(ticket.status, target)
    if steps is None:
        return False
    for status in steps[:-1]:
        change_status(ticket, status, user, None, notify=False, at=now)
    change_status(ticket, steps[-1], user, message, internal_note, notify=False, at=now)
    return True


def _first_of_each_phone(tickets: list[Ticket]) -> list[Ticket]:
    """One ticket for each phone that reported (its first): one SMS per phone per change."""
    first: dict[str, Ticket] = {}
    for ticket in tickets:
        if ticket.citizen_phone:
            first.setdefault(ticket.citizen_phone, ticket)
    return list(first.values())
