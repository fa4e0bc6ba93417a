"""Tickets as open data (the CSV and GeoJSON exports): every ticket a filter picks, streamed in
batches, with names and rounded points and nothing that could identify the citizen."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from feedback.domain import sla
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, Ticket, utcnow
from feedback.services.map_filter import (
    OPEN_VALUES,
    MapFilter,
    filtered,
    public_coordinate,
    round_public,
)


@dataclass(frozen=True)
class PublicRow:
    """One ticket as open data: nothing here may identify the citizen."""

    reference: str
    channel: str
    status: str
    category_code: str | None
    category_name_ar: str | None
    category_name_en: str | None
    directorate_name_ar: str | None
    directorate_name_en: str | None
    area_name_ar: str | None
    area_name_en: str | None
    district_name_ar: str | None
    district_name_en: str | None
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    due_at: datetime | None
    overdue: bool
    lat: float | None
    lon: float | None
    public_text: str
    incident: int | None  # the incident's id (/incidents/<id>), when the ticket is in one


EXPORT_BATCH = 1000


@dataclass(frozen=True)
class _Names:
    code: str | None
    name_ar: str | None
    name_en: str | None


_NO_NAMES = _Names(None, None, None)


def public_rows(wanted: MapFilter) -> Iterator[PublicRow]:
    """Every ticket the filter picks, oldest first, in batches of EXPORT_BATCH fetched by
    keyset (id > last), so an export of the whole city never sits in memory. Each batch is
    read in its own short transaction that ends before any row is handed on: a slow download
    never holds the database (on SQLite every transaction takes the write lock).

    The names and the query are read here, at once: what can go wrong with them goes wrong
    before an export's first byte, as an error, not as a download cut short."""
    now = utcnow()
    categories = {
        c.id: _Names(c.code, c.name_ar, c.name_en) for c in db.session.scalars(sa.select(Category))
    }
    directorates = {
        d.id: _Names(d.code, d.name_ar, d.name_en)
        for d in db.session.scalars(sa.select(Directorate))
    }
    areas = {a.id: a for a in db.session.scalars(sa.select(Area))}
    area_names = {
        area_id: (_Names(a.code, a.name_ar, a.name_en), _district_names(a, areas))
        for area_id, a in areas.items()
    }
    query = filtered(
        sa.select(
            Ticket.id,
            Ticket.reference,
            Ticket.channel,
            Ticket.status,
            Ticket.category_id,
            Ticket.directorate_id,
            Ticket.area_id,
            Ticket.created_at,
            Ticket.acknowledged_at,
            Ticket.resolved_at,
            Ticket.closed_at,
            Ticket.due_at,
            public_coordinate(Ticket.lat).label("lat"),
            public_coordinate(Ticket.lon).label("lon"),
            Ticket.public_text,
            Ticket.incident_id,
        ),
        wanted,
        now,
    ).order_by(Ticket.id)
    first = _batch(query, 0)  # the lookups above are plain values now; this ends the transaction

    def rows() -> Iterator[PublicRow]:
        batch = first
        while batch:
            for row in batch:
                category = categories.get(row.category_id, _NO_NAMES)
                directorate = directorates.get(row.directorate_id, _NO_NAMES)
                area, district = area_names.get(row.area_id, (_NO_NAMES, _NO_NAMES))
                yield PublicRow(
                    reference=row.reference,
                    channel=row.channel,
                    status=row.status,
                    category_code=category.code,
                    category_name_ar=category.name_ar,
                    category_name_en=category.name_en,
                    directorate_name_ar=directorate.name_ar,
                    directorate_name_en=directorate.name_en,
                    area_name_ar=area.name_ar,
                    area_name_en=area.name_en,
                    district_name_ar=district.name_ar,
                    district_name_en=district.name_en,
                    created_at=row.created_at,
                    acknowledged_at=row.acknowledged_at,
                    resolved_at=row.resolved_at,
                    closed_at=row.closed_at,
                    due_at=row.due_at,
                    overdue=sla.is_overdue(row.due_at, now, row.status in OPEN_VALUES),
                    lat=round_public(row.lat),
                    lon=round_public(row.lon),
                    public_text=row.public_text,
                    incident=row.incident_id,
                )
            batch = _batch(query, batch[-1].id) if len(batch) == EXPORT_BATCH else []

    return rows()


def _batch(query: sa.Select[*tuple[Any, ...]], after: int) -> Sequence[sa.Row[*tuple[Any, ...]]]:
    """The next EXPORT_BATCH rows after id `after`, in a transaction of their own."""
    batch = db.session.execute(
        query.where(Ticket.id > after).limit(EXPORT_BATCH).execution_options(yield_per=EXPORT_BATCH)
    ).all()
    db.session.commit()
    return batch


def _district_names(area: Area | None, areas: dict[int, Area]) -> _Names:
    while area is not None and area.kind != "district":
        area = areas.get(area.parent_id) if area.parent_id is not None else None
    return _Names(area.code, area.name_ar, area.name_en) if area else _NO_NAMES
