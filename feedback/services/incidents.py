"""Incidents (issue 14): a routed ticket joins an open incident of its fault, or forms one with
other recent reports of it (feedback.domain.incidents decides; this reads and writes the rows).
Called inside the caller's transaction: intake's, so a citizen's ticket and its incident are
written together or not at all."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from feedback.domain import incidents as rule
from feedback.domain.events import SYSTEM, EventKind
from feedback.domain.lifecycle import OPEN_STATUSES, Status
from feedback.domain.roles import Role
from feedback.extensions import db
from feedback.models import Area, Ticket, User, UTCDateTime
from feedback.models.incidents import Incident, IncidentEvent, in_language, incident_area
from feedback.services import locks
from feedback.services.events import record_event
from feedback.services.parser_cache import Knowledge
from feedback.services.ticket_status import change_status

# Of the recent ungrouped reports of a fault, how many are weighed (the newest).
UNGROUPED_LIMIT = 200


@dataclass(frozen=True)
class Membership:
    """What the citizen's reply says of the incident their report is in."""

    incident_id: int
    origin: rule.Origin
    expected_end: datetime | None  # of a declared outage
    reports: int  # tickets in it, this one included, and supporters
    latest_message_ar: str | None = None  # its latest public message, if it has one
    latest_message_en: str | None = None

    def latest_message(self, language: str) -> str | None:
        return in_language(self.latest_message_ar, self.latest_message_en, language)


def group_ticket(knowledge: Knowledge, ticket: Ticket, now: datetime) -> Membership | None:
    """Put a routed ticket (perhaps not yet written: then its id is None) into the incident of
    its fault, or form one with the reports it matches; None when it stays alone. What it may
    join is read in one statement; rows are loaded only to change them."""
    category = knowledge.category_code(ticket.category_id)
    if category is None or ticket.directorate_id is None or ticket.incident_id is not None:
        return None
    grouping = rule.rule_for(category)
    if grouping is None:
        return None
    report = _report(knowledge, ticket, category, now)
    if report.area_code is None and rule.point_of(report, knowledge.gazetteer) is None:
        return None
    # Reports of one fault arrive together from many phones: they are grouped one at a time.
    locks.hold(f"grouping:{ticket.directorate_id}:{ticket.category_id}".encode())
    incidents, ungrouped = _candidates(knowledge, ticket, category, now, grouping)
    decision = rule.group_report(report, incidents, ungrouped, knowledge.gazetteer)
    if decision.outcome is rule.Outcome.JOIN and decision.incident and decision.match:
        return _join_open(knowledge, decision.incident, ticket, decision.match.text, now)
    if decision.outcome is rule.Outcome.FORM and decision.match:
        others = _still_ungrouped([other.ticket_id for other in decision.together_with])
        if not others:  # another report grouped them meanwhile; the next one joins it
            return None
        made = rule.formed(0, [report, *decision.together_with], knowledge.gazetteer)
        row = _form(knowledge, made, ticket, now)
        for other in others:
            _join(knowledge, row, other, decision.match.text, now)
        _join(knowledge, row, ticket, decision.match.text, now)
        return Membership(row.id, rule.Origin.GROUPED, None, len(others) + 1)
    return None


def gather_declared(knowledge: Knowledge, row: Incident, now: datetime) -> int:
    """Put the complaints already waiting that a just-declared outage would have taken (open,
    in no incident, of its category and directorate, from inside its areas, received within
    the category's window) into it, in the caller's transaction; how many. They are told
    with the incident's next change."""
    category = knowledge.category_code(row.category_id)
    grouping = rule.rule_for(category) if category else None
    if category is None or grouping is None:
        return 0
    declared = rule.Incident(
        row.id,
        category,
        frozenset(area.code for area in row.areas),
        None,
        row.opened_at,
        row.last_report_at,
        rule.IncidentStatus(row.status),
        rule.Origin(row.origin),
    )
    waiting = db.session.scalars(
        sa.select(Ticket)
        .where(
            Ticket.category_id == row.category_id,
            Ticket.directorate_id == row.directorate_id,
            Ticket.incident_id.is_(None),
            Ticket.status.in_([status.value for status in OPEN_STATUSES]),
            Ticket.created_at >= now - grouping.window,
            Ticket.area_id.is_not(None),
        )
        .order_by(Ticket.id)
        .with_for_update()
    ).all()
    gathered = 0
    for ticket in waiting:
        report = _report(knowledge, ticket, category, ticket.created_at)
        decision = rule.group_report(report, [declared], [], knowledge.gazetteer)
        if decision.outcome is rule.Outcome.JOIN and decision.match:
            _join(knowledge, row, ticket, decision.match.text, now)
            gathered += 1
    return gathered


def _join_open(
    knowledge: Knowledge, candidate: rule.Incident, ticket: Ticket, reason: str, now: datetime
) -> Membership | None:
    """The ticket into the incident, if it still takes reports (one being resolved now takes
    none it would not tell): the incident's row is changed, and so locked until commit as an
    officer's action on it is, and what the reply says of it read, in one statement."""
    values = {"incident_id": candidate.id, "reported_at": ticket.created_at, "now": now}
    found = db.session.execute(_JOIN_OPEN, values).one_or_none()
    if found is None:  # resolved or rejected meanwhile by its officer
        return None
    area = knowledge.area_code(ticket.area_id)
    if area and area not in candidate.area_codes:
        db.session.execute(_ADD_AREA, {"incident_id": candidate.id, "area_id": ticket.area_id})
    _enter(ticket, candidate.id, reason, rule.IncidentStatus(found.status), now)
    return Membership(
        candidate.id,
        rule.Origin(found.origin),
        found.expected_end,
        found.tickets + found.supporters + 1,  # this ticket is not in it yet in the database
        found.message_ar,
        found.message_en,
    )


def _join_open_statement() -> sa.Update:
    """For _join_open, built once with bound parameters."""
    incident_id = sa.bindparam("incident_id", type_=sa.Integer)
    reported_at = sa.bindparam("reported_at", type_=UTCDateTime())
    table = Incident.__table__
    tickets = (
        sa.select(sa.func.count(Ticket.id))
        .where(Ticket.incident_id == incident_id)
        .scalar_subquery()
    )

    def latest(message: sa.orm.InstrumentedAttribute[str | None]) -> sa.ScalarSelect[str | None]:
        """From the latest step with a public message, in either language."""
        with_message = sa.or_(
            sa.func.coalesce(IncidentEvent.public_message_ar, "") != "",
            sa.func.coalesce(IncidentEvent.public_message_en, "") != "",
        )
        return (
            sa.select(message)
            .where(IncidentEvent.incident_id == incident_id, with_message)
            .order_by(IncidentEvent.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    return (
        sa.update(table)
        .where(
            table.c.id == incident_id,
            table.c.status.in_([status.value for status in rule.TAKES_REPORTS]),
        )
        .values(
            last_report_at=sa.case(
                (table.c.last_report_at < reported_at, reported_at),
                else_=table.c.last_report_at,
            ),
            updated_at=sa.bindparam("now", type_=UTCDateTime()),
        )
        .returning(
            table.c.status,
            table.c.origin,
            table.c.expected_end,
            table.c.supporters,
            tickets.label("tickets"),
            latest(IncidentEvent.public_message_ar).label("message_ar"),
            latest(IncidentEvent.public_message_en).label("message_en"),
        )
    )


_JOIN_OPEN = _join_open_statement()
# A report from an area the incident did not cover yet; the incident's row is locked, so no
# other report adds the same area meanwhile.
_ADD_AREA = sa.insert(incident_area).from_select(
    ["incident_id", "area_id"],
    sa.select(
        sa.bindparam("incident_id", type_=sa.Integer), sa.bindparam("area_id", type_=sa.Integer)
    ).where(
        ~sa.exists().where(
            incident_area.c.incident_id == sa.bindparam("incident_id"),
            incident_area.c.area_id == sa.bindparam("area_id"),
        )
    ),
)


def _still_ungrouped(ticket_ids: list[int]) -> list[Ticket]:
    """The tickets, locked until commit (PostgreSQL), that are in no incident yet: two reports
    of one fault arriving together must not each form an incident of the same tickets."""
    query = (
        sa.select(Ticket)
        .where(Ticket.id.in_(ticket_ids), Ticket.incident_id.is_(None))
        .order_by(Ticket.id)
        .with_for_update()
    )
    return list(db.session.scalars(query))


def report_count(incident: Incident) -> int:
    """Reports of the incident: its tickets written so far, and supporters."""
    return report_counts([incident.id]).get(incident.id, 0)


def report_counts(incident_ids: Iterable[int]) -> dict[int, int]:
    """Reports of each incident (tickets and supporters), in one statement for them all."""
    ids = sorted(set(incident_ids))
    if not ids:
        return {}
    tickets = (
        sa.select(sa.func.count(Ticket.id))
        .where(Ticket.incident_id == Incident.id)
        .correlate(Incident)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Incident.id, tickets + Incident.supporters).where(Incident.id.in_(ids))
    )
    return {incident_id: int(count) for incident_id, count in rows}


def leave_incident(ticket: Ticket, user: User | None, why: str, now: datetime) -> None:
    """Take the ticket out of its incident (a wrong join, or transferred alone), on both
    timelines; why is for staff. The ticket stays as it is, now on its own."""
    incident = db.session.get_one(Incident, ticket.incident_id)
    label = Role.OFFICER if user else SYSTEM
    step = rule.IncidentEventKind.TICKET_REMOVED
    record_event(
        ticket,
        EventKind.INCIDENT,
        at=now,
        actor=user,
        actor_label=label,
        internal_note=why,
        details={"incident": incident.id, "step": step.value},
    )
    incident.events.append(
        IncidentEvent(
            created_at=now,
            actor=user,
            actor_label=label,
            kind=step,
            internal_note=why,
            details={"ticket": ticket.reference},
        )
    )
    incident.updated_at = now
    ticket.incident_id = None
    ticket.incident_reason = None
    ticket.updated_at = now


def _report(knowledge: Knowledge, ticket: Ticket, category: str, at: datetime) -> rule.Report:
    return rule.Report(
        ticket.id or 0,
        category,
        knowledge.area_code(ticket.area_id),
        ticket.lat,
        ticket.lon,
        at,
    )


def _candidates_statement() -> sa.CompoundSelect[Any]:
    """What a report may join, for _candidates: built once, with bound parameters, since built
    per message it cost more Python than the database spends answering it."""
    category_id = sa.bindparam("category_id", type_=sa.Integer)
    directorate_id = sa.bindparam("directorate_id", type_=sa.Integer)
    since = sa.bindparam("since", type_=UTCDateTime())
    incidents = (
        sa.select(
            sa.literal("incident").label("kind"),
            Incident.id,
            incident_area.c.area_id,
            Incident.centre_lat.label("lat"),
            Incident.centre_lon.label("lon"),
            Incident.opened_at.label("opened_at"),
            Incident.last_report_at.label("at"),
            Incident.status,
            Incident.origin,
        )
        .outerjoin(incident_area, incident_area.c.incident_id == Incident.id)
        .where(
            Incident.category_id == category_id,
            Incident.directorate_id == directorate_id,
            Incident.status.in_([status.value for status in rule.TAKES_REPORTS]),
            sa.or_(Incident.last_report_at >= since, Incident.origin == rule.Origin.DECLARED),
        )
    )
    recent = (
        sa.select(Ticket.id, Ticket.area_id, Ticket.lat, Ticket.lon, Ticket.created_at)
        .where(
            Ticket.category_id == category_id,
            Ticket.directorate_id == directorate_id,
            Ticket.incident_id.is_(None),
            Ticket.status.in_([status.value for status in OPEN_STATUSES]),
            Ticket.created_at >= since,
            sa.or_(Ticket.area_id.is_not(None), Ticket.lat.is_not(None)),
            Ticket.id != sa.bindparam("ticket_id"),
        )
        .order_by(Ticket.created_at.desc())
        .limit(UNGROUPED_LIMIT)
        .subquery()
    )
    reports = sa.select(
        sa.literal("ticket"),
        recent.c.id,
        recent.c.area_id,
        recent.c.lat,
        recent.c.lon,
        recent.c.created_at,
        recent.c.created_at,
        sa.null(),
        sa.null(),
    )
    return sa.union_all(incidents, reports)


_CANDIDATES = _candidates_statement()


def _candidates(
    knowledge: Knowledge,
    ticket: Ticket,
    category: str,
    now: datetime,
    grouping: rule.GroupingRule,
) -> tuple[list[rule.Incident], list[rule.Report]]:
    """The open incidents of the ticket's category and directorate reported lately or declared
    (a row for each of their areas), and its recent open reports in no incident with a place,
    the newest UNGROUPED_LIMIT: one statement."""
    values = {
        "category_id": ticket.category_id,
        "directorate_id": ticket.directorate_id,
        "since": now - grouping.window,
        "ticket_id": ticket.id or 0,
    }
    found: dict[int, sa.Row[Any]] = {}
    areas: dict[int, set[str]] = {}
    ungrouped = []
    # An unwritten ticket already in the session (its photos were added) stays unwritten
    # here: flushed by this query, it would be among its own recent reports.
    with db.session.no_autoflush:
        rows = db.session.execute(_CANDIDATES, values).all()
    for row in rows:
        if row.kind == "ticket":
            area = knowledge.area_code(row.area_id)
            ungrouped.append(rule.Report(row.id, category, area, row.lat, row.lon, row.at))
        else:
            found[row.id] = row
            code = knowledge.area_code(row.area_id)
            areas.setdefault(row.id, set()).update([code] if code else [])
    incidents_found = [
        rule.Incident(
            row.id,
            category,
            frozenset(areas[row.id]),
            (row.lat, row.lon) if row.lat is not None and row.lon is not None else None,
            row.opened_at,
            row.at,
            rule.IncidentStatus(row.status),
            rule.Origin(row.origin),
        )
        for row in found.values()
    ]
    return incidents_found, ungrouped


def _form(knowledge: Knowledge, made: rule.Incident, ticket: Ticket, now: datetime) -> Incident:
    lat, lon = made.centre if made.centre else (None, None)
    row = Incident(
        category_id=ticket.category_id,
        directorate_id=ticket.directorate_id,
        status=rule.IncidentStatus.OPEN.value,
        origin=rule.Origin.GROUPED.value,
        centre_lat=lat,
        centre_lon=lon,
        opened_at=made.opened_at,
        last_report_at=made.last_report_at,
        updated_at=now,
    )
    row.areas = _areas(knowledge, made.area_codes)
    row.events.append(
        IncidentEvent(created_at=now, actor_label="system", kind=rule.IncidentEventKind.FORMED)
    )
    db.session.add(row)
    db.session.flush()  # its id goes on the tickets
    return row


def _join(knowledge: Knowledge, row: Incident, ticket: Ticket, reason: str, now: datetime) -> None:
    """The ticket into the incident; one that the directorate has acknowledged acknowledges it
    too (its reply says the problem is known, so no notice)."""
    area = knowledge.area_code(ticket.area_id)
    if area and area not in {a.code for a in row.areas}:
        row.areas += _areas(knowledge, {area})
    row.last_report_at = max(row.last_report_at, ticket.created_at)
    row.updated_at = now
    _enter(ticket, row.id, reason, rule.IncidentStatus(row.status), now)


def _enter(
    ticket: Ticket, incident_id: int, reason: str, status: rule.IncidentStatus, now: datetime
) -> None:
    """The ticket's side of joining: why, on its timeline, and acknowledged with an incident
    its directorate has acknowledged."""
    ticket.incident_id = incident_id
    ticket.incident_reason = reason[:200]
    ticket.updated_at = now
    record_event(
        ticket, EventKind.INCIDENT, at=now, details={"incident": incident_id, "why": reason}
    )
    if status is rule.IncidentStatus.ACKNOWLEDGED and ticket.status == Status.NEW:
        change_status(
            ticket, Status.ACKNOWLEDGED, None, None, actor_label=SYSTEM, notify=False, at=now
        )


def _areas(knowledge: Knowledge, codes: Iterable[str]) -> list[Area]:
    ids = [knowledge.area_ids[code] for code in sorted(codes) if code in knowledge.area_ids]
    return list(db.session.scalars(sa.select(Area).where(Area.id.in_(ids)))) if ids else []
