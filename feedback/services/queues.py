"""The officer's queue: their directorate's tickets, those a citizen said are not fixed
(priority) first, then the most urgent deadline first, an incident's tickets folded into one
row.

Pages are fetched by keyset (after this deadline and id), not by offset, so the hundredth page
costs what the first does however many tickets there are."""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from feedback.domain.lifecycle import OPEN_STATUSES
from feedback.domain.roles import DIRECTORATE_ROLES
from feedback.extensions import db
from feedback.models import (
    Area,
    Category,
    Directorate,
    Ticket,
    User,
    UTCDateTime,
    row_id,
    utcnow,
)
from feedback.models.incidents import Incident
from feedback.services.areas import area_and_descendant_ids

PAGE_SIZE = 50
# What a queue row shows of a ticket besides its columns.
_SHOWN_WITH = (
    selectinload(Ticket.category),
    selectinload(Ticket.area),
    selectinload(Ticket.assigned_to),
)
# Tickets without a deadline sort after all others.
NO_DEADLINE = datetime(9999, 1, 1, tzinfo=UTC)


class Assignment(StrEnum):
    """The queue's tabs: the tickets a manager gave this officer, or those given to nobody."""

    MINE = "mine"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None  # None: every open status
    category: str | None = None
    area: str | None = None  # an area code; its sub-areas are included
    overdue: bool = False
    text: str | None = None
    directorate_id: int | None = None  # admins choose; officers are held to their own
    assignment: Assignment | None = None  # None: assigned or not


@dataclass(frozen=True)
class IncidentRow:
    """An incident in the queue: one row with its number of reports, its tickets folded."""

    incident: Incident
    reports: int  # its tickets, whatever their status, and supporters
    tickets: list[Ticket]  # those the filter picks, most urgent first


@dataclass(frozen=True)
class QueuePage:
    # A ticket in an incident stands for the incident's row (`incidents`, by incident id).
    tickets: list[Ticket]
    next_cursor: str | None
    overdue_count: int
    incidents: dict[int, IncidentRow]
    # On the first page, above the rest: the filter's priority tickets, each on its own row.
    priority: list[Ticket]


def officer_queue(user: User, wanted: QueueFilter, cursor: str | None = None) -> QueuePage:
    """One page of the queue after `cursor` (a QueuePage.next_cursor; BadCursor for any
    other), most urgent deadline first, and how many of the filtered tickets are overdue. Each
    status is read in deadline order from the index (directorate, status, deadline, id), so a
    page reads about a page of tickets however long the queue; tickets without a deadline come
    last, by id. An incident is one row, where its most urgent ticket the filter picks stands,
    with those of its tickets folded under it."""
    now = utcnow()
    open_values = [status.value for status in OPEN_STATUSES]
    statuses = [wanted.status] if wanted.status else open_values
    if wanted.overdue:
        statuses = [status for status in statuses if status in open_values]
    conditions = _conditions(Ticket, user, wanted)
    overdue_count = db.session.scalar(
        sa.select(sa.func.count(Ticket.id)).where(
            *conditions,
            Ticket.status.in_([status for status in statuses if status in open_values]),
            Ticket.due_at < now,
        )
    )
    if wanted.overdue:
        conditions.append(Ticket.due_at < now)
    priority = [] if cursor else _priority(conditions, statuses)
    conditions.append(Ticket.priority.is_(False))
    conditions.append(_first_of_its_incident(user, wanted, statuses, now))
    after_deadline, after_id = _parse_cursor(cursor) if cursor else (None, 0)
    branches = []
    if after_deadline != NO_DEADLINE:
        for status in statuses:
            branch = sa.select(Ticket.id, Ticket.due_at).where(
                *conditions, Ticket.status == status, Ticket.due_at.is_not(None)
            )
            if after_deadline is not None:
                after = (sa.literal(after_deadline, UTCDateTime()), sa.literal(after_id))
                branch = branch.where(sa.tuple_(Ticket.due_at, Ticket.id) > sa.tuple_(*after))
            branches.append(branch.order_by(Ticket.due_at, Ticket.id).limit(PAGE_SIZE + 1))
    if not wanted.overdue and statuses:
        branch = sa.select(Ticket.id, Ticket.due_at).where(
            *conditions, Ticket.status.in_(statuses), Ticket.due_at.is_(None)
        )
        if after_deadline == NO_DEADLINE:
            branch = branch.where(Ticket.id > after_id)
        branches.append(branch.order_by(Ticket.id).limit(PAGE_SIZE + 1))
    rows = _first_of(branches)
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        next_cursor = f"{(last.due_at or NO_DEADLINE).isoformat()}_{last.id}"
    incidents = _incident_rows(
        [row.incident_id for row in rows if row.incident_id is not None],
        [*_conditions(Ticket, user, wanted), *([Ticket.due_at < now] if wanted.overdue else [])],
        statuses,
    )
    return QueuePage(rows, next_cursor, overdue_count or 0, incidents, priority)


def _priority(conditions: list[sa.ColumnElement[bool]], statuses: list[str]) -> list[Ticket]:
    """The tickets the filter picks that a citizen said are not fixed, most urgent first
    (few: each is worked first until resolved again)."""
    deadline = sa.func.coalesce(Ticket.due_at, sa.literal(NO_DEADLINE, UTCDateTime()))
    return list(
        db.session.scalars(
            sa.select(Ticket)
            .where(*conditions, Ticket.status.in_(statuses), Ticket.priority)
            .options(selectinload(Ticket.category), selectinload(Ticket.area))
            .order_by(deadline, Ticket.id)
            .limit(PAGE_SIZE)
        )
    )


def _conditions(table: Any, user: User, wanted: QueueFilter) -> list[sa.ColumnElement[bool]]:
    """What the filter asks of a ticket (`table`: Ticket or an alias of it), status aside."""
    held = user.role in DIRECTORATE_ROLES
    directorate_id = user.directorate_id if held else wanted.directorate_id
    conditions = []
    if directorate_id is not None or held:
        conditions.append(table.directorate_id == directorate_id)
    if wanted.assignment == Assignment.MINE:
        conditions.append(table.assigned_to_id == user.id)
    elif wanted.assignment == Assignment.UNASSIGNED:
        conditions.append(table.assigned_to_id.is_(None))
    if wanted.category:
        category = sa.select(Category.id).where(Category.code == wanted.category)
        conditions.append(table.category_id == category.scalar_subquery())
    if wanted.area:
        conditions.append(table.area_id.in_(area_and_descendant_ids(wanted.area)))
    if wanted.text:
        pattern = f"%{wanted.text.strip()}%"
        conditions.append(
            sa.or_(table.reference.ilike(pattern), table.original_text.ilike(pattern))
        )
    return conditions


def _first_of_its_incident(
    user: User, wanted: QueueFilter, statuses: list[str], now: datetime
) -> sa.ColumnElement[bool]:
    """A ticket in no incident, or the most urgent of its incident's tickets the filter picks:
    the incident's one row stands where that ticket would, so the keyset stays (deadline, id)."""
    other = aliased(Ticket)
    deadline = sa.func.coalesce(Ticket.due_at, sa.literal(NO_DEADLINE, UTCDateTime()))
    other_deadline = sa.func.coalesce(other.due_at, sa.literal(NO_DEADLINE, UTCDateTime()))
    more_urgent = sa.exists().where(
        other.incident_id == Ticket.incident_id,
        other.status.in_(statuses),
        other.priority.is_(False),  # listed on its own, above the queue
        *_conditions(other, user, wanted),
        *([other.due_at < now] if wanted.overdue else []),
        sa.tuple_(other_deadline, other.id) < sa.tuple_(deadline, Ticket.id),
    )
    return sa.or_(Ticket.incident_id.is_(None), ~more_urgent)


def _incident_rows(
    incident_ids: list[int], conditions: list[sa.ColumnElement[bool]], statuses: list[str]
) -> dict[int, IncidentRow]:
    """For each incident on the page: its reports and the tickets of it the filter picks."""
    if not incident_ids:
        return {}
    incidents = db.session.scalars(
        sa.select(Incident)
        .where(Incident.id.in_(incident_ids))
        .options(selectinload(Incident.category), selectinload(Incident.areas))
    )
    counts = dict(
        db.session.execute(
            sa.select(Ticket.incident_id, sa.func.count(Ticket.id))
            .where(Ticket.incident_id.in_(incident_ids))
            .group_by(Ticket.incident_id)
        ).all()
    )
    members: dict[int, list[Ticket]] = {}
    for ticket in db.session.scalars(
        sa.select(Ticket)
        .where(Ticket.incident_id.in_(incident_ids), Ticket.status.in_(statuses), *conditions)
        .options(*_SHOWN_WITH)
    ):
        members.setdefault(ticket.incident_id or 0, []).append(ticket)
    return {
        incident.id: IncidentRow(
            incident,
            counts.get(incident.id, 0) + incident.supporters,
            sorted(members.get(incident.id, []), key=lambda t: (t.due_at or NO_DEADLINE, t.id)),
        )
        for incident in incidents
    }


def _first_of(branches: list[sa.Select[*tuple[Any, ...]]]) -> list[Ticket]:
    """The first PAGE_SIZE + 1 tickets of the branches together, by deadline then id, with
    their category and area."""
    if not branches:
        return []
    merged = sa.union_all(*(sa.select(branch.subquery()) for branch in branches)).subquery()
    deadline = sa.func.coalesce(merged.c.due_at, sa.literal(NO_DEADLINE, UTCDateTime()))
    ids = db.session.scalars(
        sa.select(merged.c.id).order_by(deadline, merged.c.id).limit(PAGE_SIZE + 1)
    ).all()
    tickets = db.session.scalars(
        sa.select(Ticket).where(Ticket.id.in_(ids)).options(*_SHOWN_WITH)
    ).all()
    return sorted(tickets, key=lambda ticket: (ticket.due_at or NO_DEADLINE, ticket.id))


class BadCursor(ValueError):
    """An `after` the queue did not write: no time zone, a year off the calendar in UTC, an id
    no row can have, or no cursor at all."""


def _parse_cursor(cursor: str) -> tuple[datetime, int]:
    """The (deadline, id) a page ended at, as `next_cursor` wrote it."""
    try:
        stamp, ident = cursor.rsplit("_", 1)
        deadline = datetime.fromisoformat(stamp)
        if deadline.tzinfo is None:
            raise BadCursor(cursor)
        return deadline.astimezone(UTC), row_id(ident)
    except (ValueError, OverflowError):
        raise BadCursor(cursor) from None


@dataclass(frozen=True)
class FilterChoices:
    categories: list[tuple[str, str]]
    areas: list[tuple[str, str]]
    directorates: list[tuple[str, str]]
    directorate_ids: dict[str, int]


def filter_choices(language: str) -> FilterChoices:
    """(code, name) pairs in the reader's language for the queue's filters."""
    categories = db.session.scalars(
        sa.select(Category).where(Category.active).order_by(Category.id)
    )
    areas = db.session.scalars(
        sa.select(Area)
        .where(Area.kind.in_(["district", "subdistrict", "town", "neighbourhood"]))
        .order_by(Area.kind, Area.name_en)
    )
    directorates = list(db.session.scalars(sa.select(Directorate).order_by(Directorate.id)))
    return FilterChoices(
        categories=[(c.code, c.name(language)) for c in categories],
        areas=[(a.code, a.name(language)) for a in areas],
        directorates=[(d.code, d.name(language)) for d in directorates],
        directorate_ids={d.code: d.id for d in directorates},
    )
