"""Tickets on the public map: single tickets at street zoom; at lower zoom, counts in the cells
of a grid, so a response stays small at any number of tickets. Filtered by status, category,
directorate or district, the counts come from the cells counted at the last rollup refresh
(feedback.services.rollups) corrected by the tickets changed since, so they are exact now and
read a few thousand rows; filtered by dates or overdue, from the tickets. Only the columns
named here ever leave."""

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from feedback.domain import sla
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, Ticket, utcnow
from feedback.models.incidents import Incident
from feedback.models.rollups import MapCell, RollupState, ScorecardTicket
from feedback.services.areas import area_and_descendant_ids
from feedback.services.incidents import report_counts
from feedback.services.map_filter import (
    GRID_E3,
    OPEN_VALUES,
    PUBLIC_DECIMALS,
    BoundingBox,
    MapFilter,
    filtered,
    grid_cell,
    grid_factor,
    public_coordinate,
    round_public,
    thousandths,
)
from feedback.services.stats import district_of_area

# Below this zoom the map gets grid-cell clusters; from it on, single tickets.
CLUSTER_BELOW_ZOOM = 14


MAX_POINTS = 2000


# When two statuses are equally common in a cell, the more pressing one colours it.
STATUS_PRIORITY = ("reopened", "new", "acknowledged", "in_progress", "resolved", "rejected")


@dataclass(frozen=True)
class MapTicket:
    reference: str
    status: str
    category_id: int | None
    public_text: str
    created_at: datetime
    overdue: bool
    lat: float
    lon: float


@dataclass(frozen=True)
class MapIncident:
    """An incident, once, where its reports in view are (their public points' mean)."""

    id: int
    status: str  # the ticket status its marker is coloured as (INCIDENT_COLOURED_AS)
    incident_status: str
    category_id: int
    reports: int  # all its reports, as its page counts them
    in_view: int  # its tickets the filter picks in the box
    lat: float
    lon: float


# An incident's marker takes the colour of the ticket status that says the same.
INCIDENT_COLOURED_AS = {
    "open": "new",
    "acknowledged": "acknowledged",
    "resolved": "resolved",
    "rejected": "rejected",
}


@dataclass(frozen=True)
class MapCluster:
    lat: float
    lon: float
    count: int
    status: str  # the most common status in the cell
    statuses: dict[str, int]


@dataclass(frozen=True)
class MapPoints:
    clustered: bool
    total: int  # tickets in the box that match the filter
    clusters: list[MapCluster]
    tickets: list[MapTicket]  # at most MAX_POINTS, newest first; none in an incident
    categories: dict[int, Category]
    incidents: list[MapIncident] = field(default_factory=list)  # street zoom: each once

    @property
    def shown(self) -> int:
        """The tickets the features stand for: each drawn alone or in its incident's marker."""
        return len(self.tickets) + sum(incident.in_view for incident in self.incidents)


def map_points(box: BoundingBox, zoom: int, wanted: MapFilter) -> MapPoints:
    """What the map shows in `box`: clusters below CLUSTER_BELOW_ZOOM, else single tickets.
    Clusters count the tickets in the cells of the finest grid that the box touches."""
    lat, lon = public_coordinate(Ticket.lat), public_coordinate(Ticket.lon)
    categories = {c.id: c for c in db.session.scalars(sa.select(Category))}
    now = utcnow()

    def in_box(query: sa.Select[*tuple[Any, ...]]) -> sa.Select[*tuple[Any, ...]]:
        return filtered(query, wanted, now).where(
            *_near(box.south, box.north, box.west, box.east),
            lat.between(box.south, box.north),
            lon.between(box.west, box.east),
        )

    if zoom < CLUSTER_BELOW_ZOOM:
        cells = _cells_from_rollups(box, wanted)
        if cells is None:
            cells = _cells_from_tickets(box, wanted, now)
        clusters = _clusters(cells, grid_factor(zoom))
        total = sum(cluster.count for cluster in clusters)
        return MapPoints(True, total, clusters, [], categories)
    incidents = _incidents_in(in_box)
    rows = db.session.execute(
        in_box(
            sa.select(
                Ticket.reference,
                Ticket.status,
                Ticket.category_id,
                Ticket.public_text,
                Ticket.created_at,
                Ticket.due_at,
                lat.label("lat"),
                lon.label("lon"),
            )
        )
        .where(Ticket.incident_id.is_(None))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(MAX_POINTS + 1)
    ).all()
    if len(rows) > MAX_POINTS:
        rows = rows[:MAX_POINTS]
        total = db.session.scalar(in_box(sa.select(sa.func.count(Ticket.id))))
    else:
        total = len(rows) + sum(incident.in_view for incident in incidents)
    tickets = [
        MapTicket(
            reference=row.reference,
            status=row.status,
            category_id=row.category_id,
            public_text=row.public_text,
            created_at=row.created_at,
            overdue=sla.is_overdue(row.due_at, now, row.status in OPEN_VALUES),
            lat=round_public(row.lat),
            lon=round_public(row.lon),
        )
        for row in rows
    ]
    return MapPoints(False, total or 0, [], tickets, categories, incidents)


def _incidents_in(in_box: Callable[[sa.Select[Any]], sa.Select[Any]]) -> list[MapIncident]:
    """The incidents with reports the filter picks in the box: one marker each at the mean of
    those reports' public points, counting all its reports."""
    lat, lon = public_coordinate(Ticket.lat), public_coordinate(Ticket.lon)
    rows = db.session.execute(
        in_box(
            sa.select(
                Ticket.incident_id,
                sa.func.count(Ticket.id).label("in_view"),
                sa.func.avg(lat).label("lat"),
                sa.func.avg(lon).label("lon"),
            )
        )
        .where(Ticket.incident_id.is_not(None))
        .group_by(Ticket.incident_id)
        .limit(MAX_POINTS)
    ).all()
    if not rows:
        return []
    ids = [row.incident_id for row in rows]
    found = {
        incident.id: incident
        for incident in db.session.execute(
            sa.select(Incident.id, Incident.status, Incident.category_id).where(
                Incident.id.in_(ids)
            )
        )
    }
    counts = report_counts(ids)
    return [
        MapIncident(
            id=row.incident_id,
            status=INCIDENT_COLOURED_AS.get(found[row.incident_id].status, "new"),
            incident_status=found[row.incident_id].status,
            category_id=found[row.incident_id].category_id,
            reports=counts.get(row.incident_id, row.in_view),
            in_view=row.in_view,
            lat=round_public(float(row.lat)),
            lon=round_public(float(row.lon)),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class _Cells:
    """The cells of the finest grid a box touches: rows and columns, first and last."""

    rows: tuple[int, int]
    cols: tuple[int, int]

    @classmethod
    def of(cls, box: BoundingBox) -> "_Cells":
        scale = 10**PUBLIC_DECIMALS
        # The public points in the box, in thousandths, then their cells.
        south, north = math.ceil(box.south * scale - 1e-6), math.floor(box.north * scale + 1e-6)
        west, east = math.ceil(box.west * scale - 1e-6), math.floor(box.east * scale + 1e-6)
        return cls((south // GRID_E3, north // GRID_E3), (west // GRID_E3, east // GRID_E3))

    def degrees(self) -> tuple[float, float, float, float]:
        """South, north, west and east edges of these cells, in degrees."""
        scale = 10**PUBLIC_DECIMALS
        return (
            self.rows[0] * GRID_E3 / scale,
            (self.rows[1] + 1) * GRID_E3 / scale,
            self.cols[0] * GRID_E3 / scale,
            (self.cols[1] + 1) * GRID_E3 / scale,
        )

    def holds(self, lat_e3: int | None, lon_e3: int | None) -> bool:
        if lat_e3 is None or lon_e3 is None:
            return False
        row, col = lat_e3 // GRID_E3, lon_e3 // GRID_E3
        return self.rows[0] <= row <= self.rows[1] and self.cols[0] <= col <= self.cols[1]


def _near(south: float, north: float, west: float, east: float) -> list[sa.ColumnElement[bool]]:
    """A little more than the box, on the exact point: what the (lat, lon) index can find, so
    the public-point test that follows reads only the tickets near the box. A point rounds by
    at most half a thousandth of a degree."""
    margin = 0.6 / 10**PUBLIC_DECIMALS
    return [
        Ticket.lat.between(south - margin, north + margin),
        Ticket.lon.between(west - margin, east + margin),
    ]


# (row, col, status) of the finest grid -> [count, sum of lat_e3, sum of lon_e3]
CellCounts = dict[tuple[int, int, str], list[int]]


def _statuses(wanted: MapFilter) -> set[str] | None:
    if wanted.status == "open":
        return set(OPEN_VALUES)
    return {wanted.status} if wanted.status else None


def _cells_from_tickets(box: BoundingBox, wanted: MapFilter, now: datetime) -> CellCounts:
    """The tickets the filter picks in the box's cells, counted by cell and status in SQL."""
    cells = _Cells.of(box)
    lat_e3, lon_e3 = thousandths(Ticket.lat), thousandths(Ticket.lon)
    row, col = grid_cell(lat_e3), grid_cell(lon_e3)
    grouped = (
        filtered(
            sa.select(
                row.label("row"),
                col.label("col"),
                Ticket.status,
                sa.func.count().label("tickets"),
                sa.func.sum(lat_e3).label("lat_e3"),
                sa.func.sum(lon_e3).label("lon_e3"),
            ),
            wanted,
            now,
        )
        .where(
            *_near(*cells.degrees()),
            row.between(*cells.rows),
            col.between(*cells.cols),
        )
        .group_by(row, col, Ticket.status)
    )
    return {
        (r.row, r.col, r.status): [r.tickets, int(r.lat_e3), int(r.lon_e3)]
        for r in db.session.execute(grouped)
    }


def _cells_from_rollups(box: BoundingBox, wanted: MapFilter) -> CellCounts | None:
    """The same counts from the rollups' cells, corrected by every ticket changed since their
    refresh (taken out as the rollup counted it, put back as it is now); None when the filter
    needs the tickets themselves (dates, overdue, escalated, a place other than a whole district) or
    there has been no refresh."""
    pins = _pinned(wanted)
    if pins is None:
        return None
    counts: CellCounts = {}
    for _ in range(3):
        state = db.session.execute(
            sa.select(
                RollupState.refreshed_at, RollupState.changed_since, RollupState.last_ticket_id
            )
        ).first()
        if state is None:
            return None
        counts = _rollup_counts(box, wanted, pins, state)
        if db.session.scalar(sa.select(RollupState.refreshed_at)) == state.refreshed_at:
            break  # no refresh committed while these were read
    return counts


def _pinned(wanted: MapFilter) -> dict[str, int] | None:
    """{map_cell column: the id the filter asks for} (-1: a code that names nothing), or None
    when the rollups cannot answer the filter."""
    if wanted.date_from or wanted.date_to or wanted.overdue or wanted.escalated:
        return None
    pins = {}
    for name, model, code in (
        ("category_id", Category, wanted.category),
        ("directorate_id", Directorate, wanted.directorate),
    ):
        if code:
            pins[name] = db.session.scalar(sa.select(model.id).where(model.code == code)) or -1
    if wanted.district:
        area = db.session.execute(
            sa.select(Area.id, Area.kind).where(Area.code == wanted.district)
        ).first()
        if area is None:
            pins["district_id"] = -1
        else:
            inside = area_and_descendant_ids(wanted.district)
            districts = db.session.scalar(
                sa.select(sa.func.count()).where(Area.id.in_(inside), Area.kind == "district")
            )
            if area.kind != "district" or districts != 1:
                return None  # a smaller place, or a district holding another: the tickets
            pins["district_id"] = area.id
    return pins


def _rollup_counts(
    box: BoundingBox, wanted: MapFilter, pins: dict[str, int], state: sa.Row[*tuple[Any, ...]]
) -> CellCounts:
    cells, statuses = _Cells.of(box), _statuses(wanted)
    query = sa.select(
        MapCell.row,
        MapCell.col,
        MapCell.status,
        sa.func.sum(MapCell.count),
        sa.func.sum(MapCell.lat_e3_sum),
        sa.func.sum(MapCell.lon_e3_sum),
    ).where(
        MapCell.row.between(*cells.rows),
        MapCell.col.between(*cells.cols),
        *(getattr(MapCell, name) == value for name, value in pins.items()),
    )
    if statuses is not None:
        query = query.where(MapCell.status.in_(statuses))
    query = query.group_by(MapCell.row, MapCell.col, MapCell.status)
    counts: CellCounts = defaultdict(lambda: [0, 0, 0])
    for row, col, status, count, lat_sum, lon_sum in db.session.execute(query):
        counts[(row, col, status)] = [int(count), int(lat_sum), int(lon_sum)]
    facts = ScorecardTicket
    district = district_of_area()
    changed = db.session.execute(
        sa.select(
            Ticket.status,
            thousandths(Ticket.lat).label("lat_e3"),
            thousandths(Ticket.lon).label("lon_e3"),
            sa.func.coalesce(Ticket.category_id, 0).label("category_id"),
            sa.func.coalesce(Ticket.directorate_id, 0).label("directorate_id"),
            sa.func.coalesce(district.c.district_id, 0).label("district_id"),
            facts.status.label("old_status"),
            facts.lat_e3.label("old_lat_e3"),
            facts.lon_e3.label("old_lon_e3"),
            facts.category_id.label("old_category_id"),
            facts.directorate_id.label("old_directorate_id"),
            facts.district_id.label("old_district_id"),
        )
        .outerjoin(facts, facts.ticket_id == Ticket.id)
        .outerjoin(district, Ticket.area_id == district.c.area_id)
        .where(sa.or_(Ticket.id > state.last_ticket_id, Ticket.updated_at >= state.changed_since))
    )
    for change in changed:
        for sign, prefix in ((-1, "old_"), (1, "")):
            status = getattr(change, f"{prefix}status")
            lat_e3, lon_e3 = getattr(change, f"{prefix}lat_e3"), getattr(change, f"{prefix}lon_e3")
            if status is None or (statuses is not None and status not in statuses):
                continue
            if any(getattr(change, f"{prefix}{name}") != value for name, value in pins.items()):
                continue
            if not cells.holds(lat_e3, lon_e3):
                continue
            found = counts[(lat_e3 // GRID_E3, lon_e3 // GRID_E3, status)]
            found[0] += sign
            found[1] += sign * lat_e3
            found[2] += sign * lon_e3
    return {key: value for key, value in counts.items() if value[0] > 0}


def _clusters(counts: CellCounts, factor: int) -> list[MapCluster]:
    """The finest grid's counts put together into the cells of the zoom (`factor` a side)."""
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    for (row, col, status), (count, lat_sum, lon_sum) in counts.items():
        found = cells.setdefault(
            (row // factor, col // factor), {"statuses": {}, "lat": 0, "lon": 0}
        )
        found["statuses"][status] = found["statuses"].get(status, 0) + count
        found["lat"] += lat_sum
        found["lon"] += lon_sum
    scale = 10**PUBLIC_DECIMALS
    clusters = []
    for found in cells.values():
        statuses = found["statuses"]
        count = sum(statuses.values())
        dominant = max(statuses, key=lambda status: (statuses[status], -_priority(status)))
        clusters.append(
            MapCluster(
                lat=round_public(found["lat"] / count / scale),
                lon=round_public(found["lon"] / count / scale),
                count=count,
                status=dominant,
                statuses=dict(sorted(statuses.items())),
            )
        )
    clusters.sort(key=lambda cluster: (-cluster.count, cluster.lat, cluster.lon))
    return clusters


def _priority(status: str) -> int:
    return STATUS_PRIORITY.index(status) if status in STATUS_PRIORITY else len(STATUS_PRIORITY)


@dataclass(frozen=True)
class MapChoices:
    categories: list[tuple[str, str]]
    directorates: list[tuple[str, str]]
    districts: list[tuple[str, str]]


def map_choices(language: str) -> MapChoices:
    """(code, name) pairs in the reader's language for the map's filters."""
    categories = db.session.scalars(sa.select(Category).order_by(Category.id))
    directorates = db.session.scalars(sa.select(Directorate).order_by(Directorate.id))
    districts = db.session.scalars(sa.select(Area).where(Area.kind == "district"))
    return MapChoices(
        categories=[(c.code, c.name(language)) for c in categories],
        directorates=[(d.code, d.name(language)) for d in directorates],
        districts=sorted(((a.code, a.name(language)) for a in districts), key=lambda p: p[1]),
    )
