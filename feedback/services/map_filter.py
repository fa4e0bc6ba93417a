"""What the public map and the open data select, and how precisely they show it: the public
filter (status, category, directorate, district, dates, overdue, escalated) as SQL,
coordinates rounded to about 100 m, and the grid the map's clusters and the rollups count in."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, overload

import sqlalchemy as sa

from feedback.domain.lifecycle import OPEN_STATUSES
from feedback.models import Category, Directorate, Escalation, Ticket, utcnow
from feedback.services.areas import area_and_descendant_ids
from feedback.services.settings import settings

# 3 decimals of a degree: about 110 m north-south, 95 m east-west at Basra's latitude.
PUBLIC_DECIMALS = 3


# The cluster grid: at GRID_ZOOM, cells of GRID_E3 thousandths of a degree (about 1.1 km,
# some 64 pixels on screen), each zoom level out twice as wide, so a cell at any zoom is a
# square of whole cells of the finest grid (the one the rollups count in).
GRID_ZOOM = 13


GRID_E3 = 11


OPEN_VALUES = tuple(status.value for status in OPEN_STATUSES)


@dataclass(frozen=True)
class MapFilter:
    category: str | None = None  # category code
    directorate: str | None = None  # directorate code
    district: str | None = None  # area code; everything inside it counts
    status: str | None = None  # a Status value, or "open" for every open one
    date_from: date | None = None  # received on or after this day (Basra time)
    date_to: date | None = None  # received on or before this day (Basra time)
    overdue: bool = False
    escalated: bool = False  # sent up to a directorate head or the governor's office

    def as_args(self) -> dict[str, str]:
        """The filter as query-string values, empty ones left out."""
        values = {
            "category": self.category,
            "directorate": self.directorate,
            "district": self.district,
            "status": self.status,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "overdue": "1" if self.overdue else None,
            "escalated": "1" if self.escalated else None,
        }
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class BoundingBox:
    west: float
    south: float
    east: float
    north: float


def public_coordinate(column: sa.SQLColumnExpression[Any]) -> sa.ColumnElement[Any]:
    """The column rounded to PUBLIC_DECIMALS in SQL, so that even the bounding-box filter
    never tells anyone more than the rounded point (no narrowing boxes down to the metre)."""
    # round(x) on doubles: PostgreSQL has no round(double, n), and numeric is slow.
    scale = 10**PUBLIC_DECIMALS
    return sa.func.round(column * scale) / float(scale)


def thousandths(column: sa.SQLColumnExpression[Any]) -> sa.ColumnElement[int]:
    """The public coordinate in thousandths of a degree, as an integer (SQL)."""
    return sa.cast(sa.func.round(column * 10**PUBLIC_DECIMALS), sa.Integer)


def grid_cell(
    thousandths_column: sa.SQLColumnExpression[Any], size: int = GRID_E3
) -> sa.ColumnElement[int]:
    """The cell of a grid of `size` thousandths a public coordinate falls in: its floor
    division, in integer arithmetic on every database (SQL)."""
    return sa.case(
        (thousandths_column >= 0, thousandths_column // size),
        else_=-((size - 1 - thousandths_column) // size),
    )


def grid_factor(zoom: int) -> int:
    """How many cells of the finest grid make one side of a cell at this zoom."""
    factor: int = 2 ** (GRID_ZOOM - min(zoom, GRID_ZOOM))
    return factor


@overload
def round_public(value: float) -> float: ...
@overload
def round_public(value: None) -> None: ...
def round_public(value: float | None) -> float | None:
    """A coordinate as the public may see it."""
    return None if value is None else round(float(value), PUBLIC_DECIMALS)


def filtered(
    query: sa.Select[*tuple[Any, ...]], wanted: MapFilter, now: datetime | None = None
) -> sa.Select[*tuple[Any, ...]]:
    """`query` (over Ticket) narrowed to what `wanted` asks for."""
    if wanted.category:
        query = query.where(
            Ticket.category_id
            == sa.select(Category.id).where(Category.code == wanted.category).scalar_subquery()
        )
    if wanted.directorate:
        query = query.where(
            Ticket.directorate_id
            == sa.select(Directorate.id)
            .where(Directorate.code == wanted.directorate)
            .scalar_subquery()
        )
    if wanted.district:
        query = query.where(Ticket.area_id.in_(area_and_descendant_ids(wanted.district)))
    if wanted.status == "open":
        query = query.where(Ticket.status.in_(OPEN_VALUES))
    elif wanted.status:
        query = query.where(Ticket.status == wanted.status)
    if wanted.date_from:
        query = query.where(Ticket.created_at >= _local_midnight(wanted.date_from))
    if wanted.date_to:
        query = query.where(Ticket.created_at < _local_midnight(wanted.date_to + timedelta(1)))
    if wanted.overdue:
        query = query.where(Ticket.due_at < (now or utcnow()), Ticket.status.in_(OPEN_VALUES))
    if wanted.escalated:
        query = query.where(Ticket.id.in_(sa.select(Escalation.ticket_id)))
    return query


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), settings().timezone).astimezone(UTC)
