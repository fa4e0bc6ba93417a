"""The officer's queue: their directorate's tickets, the most urgent deadline first.

Pages are fetched by keyset (after this deadline and id), not by offset, so the hundredth page
costs what the first does however many tickets there are."""

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from feedback.domain.lifecycle import OPEN_STATUSES
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
from feedback.services.areas import area_and_descendant_ids

PAGE_SIZE = 50
# Tickets without a deadline sort after all others.
NO_DEADLINE = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None  # None: every open status
    category: str | None = None
    area: str | None = None  # an area code; its sub-areas are included
    overdue: bool = False
    text: str | None = None
    directorate_id: int | None = None  # admins choose; officers are held to their own


@dataclass(frozen=True)
class QueuePage:
    tickets: list[Ticket]
    next_cursor: str | None
    overdue_count: int


def officer_queue(user: User, wanted: QueueFilter, cursor: str | None = None) -> QueuePage:
    """A page of the queue after `cursor` (a QueuePage.next_cursor); BadCursor for any other."""
    directorate_id = user.directorate_id if user.role == "officer" else wanted.directorate_id
    now = utcnow()
    deadline = sa.func.coalesce(Ticket.due_at, sa.literal(NO_DEADLINE, UTCDateTime()))
    query = sa.select(Ticket)
    if directorate_id is not None or user.role == "officer":
        query = query.where(Ticket.directorate_id == directorate_id)
    open_values = [status.value for status in OPEN_STATUSES]
    if wanted.status:
        query = query.where(Ticket.status == wanted.status)
    else:
        query = query.where(Ticket.status.in_(open_values))
    if wanted.category:
        query = query.where(Ticket.category.has(code=wanted.category))
    if wanted.area:
        area_ids = area_and_descendant_ids(wanted.area)
        query = query.where(Ticket.area_id.in_(area_ids))
    if wanted.overdue:
        query = query.where(Ticket.due_at < now, Ticket.status.in_(open_values))
    if wanted.text:
        pattern = f"%{wanted.text.strip()}%"
        query = query.where(
            sa.or_(Ticket.reference.ilike(pattern), Ticket.original_text.ilike(pattern))
        )
    overdue_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            query.where(Ticket.due_at < now, Ticket.status.in_(open_values)).subquery()
        )
    )
    if cursor:
        after_deadline, after_id = _parse_cursor(cursor)
        after = sa.tuple_(sa.literal(after_deadline, UTCDateTime()), sa.literal(after_id))
        query = query.where(sa.tuple_(deadline, Ticket.id) > after)
    rows = list(db.session.scalars(query.order_by(deadline, Ticket.id).limit(PAGE_SIZE + 1)))
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        next_cursor = f"{(last.due_at or NO_DEADLINE).isoformat()}_{last.id}"
    return QueuePage(rows, next_cursor, overdue_count or 0)


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
