"""Tickets for the public map and open data: which ones a filter picks, and where they are,
rounded to about 100 m. At low zoom they are counted in the cells of a grid, so a response
stays small at any number of tickets: filtered by status, category, directorate or district,
from the cells counted at the last rollup refresh (feedback.services.rollups) corrected by the
tickets changed since, so they are exact now and read a few thousand rows; filtered by dates
or overdue, from the tickets. Only the columns named here ever leave."""

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, overload
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from feedback.domain.lifecycle import OPEN_STATUSES, Status
from feedback.domain.period import BadDate, parse_day
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, Ticket, utcnow
from feedback.models.rollups import MapCell, RollupState, ScorecardTicket
from feedback.services.areas import area_and_descendant_ids
from feedback.services.stats import district_of_area

# 3 decimals of a degree: about 110 m north-south, 95 m east-west at Basra's latitude.
PUBLIC_DECIMALS = 3
# Below this zoom the map gets grid-cell clusters; from it on, single tickets.
CLUSTER_BELOW_ZOOM = 14
MAX_POINTS = 2000
# The cluster grid: at GRID_ZOOM, cells of GRID_E3 thousandths of a degree (about 1.1 km,
# some 64 pixels on screen), each zoom level out twice as wide, so a cell at any zoom is a
# square of whole cells of the finest grid (the one the rollups count in).
GRID_ZOOM = 13
GRID_E3 = 11
LOCAL_TIME = ZoneInfo("Asia/Baghdad")
OPEN_VALUES = tuple(status.value for status in OPEN_STATUSES)
# When two statuses are equally common in a cell, the more pressing one colours it.
STATUS_PRIORITY = ("reopened", "new", "acknowledged", "in_progress", "resolved", "rejected")


class BadFilter(ValueError):
    """A query-string value that cannot be understood (bbox, zoom, date, status)."""


@dataclass(frozen=True)
class MapFilter:
    category: str | None = None  # category code
    directorate: str | None = None  # directorate code
    district: str | None = None  # area code; everything inside it counts
    status: str | None = None  # a Status value, or "open" for every open one
    date_from: date | None = None  # received on or after this day (Basra time)
    date_to: date | None = None  # received on or before this day (Basra time)
    overdue: bool = False

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
        }
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class BoundingBox:
    west: float
    south: float
    east: float
    north: float


def parse_filter(args: Mapping[str, str]) -> MapFilter:
    """A MapFilter from query-string values; blank values mean 'any'."""

    def text(name: str) -> str | None:
        value = (args.get(name) or "").strip()
        return value[:80] or None

    status = text("status")
    if status and status != "open" and status not in {s.value for s in Status}:
        raise BadFilter(f"unknown status {status!r}")
    return MapFilter(
        category=text("category"),
        directorate=text("directorate"),
        district=text("district"),
        status=status,
        date_from=_parse_date(text("from"), "from"),
        date_to=_parse_date(text("to"), "to"),
        overdue=(args.get("overdue") or "").lower() in ("1", "true", "on", "yes"),
    )


def _parse_date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return parse_day(value, name)
    except BadDate as error:
        raise BadFilter(str(error)) from None


def parse_bbox(value: str | None) -> BoundingBox:
    """'west,south,east,north' in degrees, clamped to the world."""
    try:
        west, south, east, north = (float(part) for part in (value or "").split(","))
    except ValueError:
        raise BadFilter("bbox must be west,south,east,north") from None
    if not all(abs(number) < 1000 for number in (west, south, east, north)):
        raise BadFilter("bbox out of range")
    west, east = max(west, -180.0), min(east, 180.0)
    south, north = max(south, -90.0), min(north, 90.0)
    if west > east or south > north:
        raise BadFilter("bbox is inside out")
    return BoundingBox(west, south, east, north)


def parse_zoom(value: str | None) -> int:
    """A Leaflet zoom level, held between 0 and 22."""
    try:
        zoom = int(value or "")
    except ValueError:
        raise BadFilter("zoom must be a whole number") from None
    return min(max(zoom, 0), 22)


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
    return query


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TIME).astimezone(UTC)


def is_overdue(status: str, due_at: datetime | None, now: datetime) -> bool:
    """Still open and past its deadline (as feedback.domain.sla.is_overdue, by status)."""
    return status in OPEN_VALUES and due_at is not None and due_at < now


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
    tickets: list[MapTicket]  # at most MAX_POINTS, newest first
    categories: dict[int, Category]


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
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(MAX_POINTS + 1)
    ).all()
    if len(rows) > MAX_POINTS:
        rows = rows[:MAX_POINTS]
        total = db.session.scalar(in_box(sa.select(sa.func.count(Ticket.id))))
    else:
        total = len(rows)
    tickets = [
        MapTicket(
            reference=row.reference,
            status=row.status,
            category_id=row.category_id,
            public_text=row.public_text,
            created_at=row.created_at,
            overdue=is_overdue(row.status, row.due_at, now),
            lat=round_public(row.lat),
            lon=round_public(row.lon),
        )
        for row in rows
    ]
    return MapPoints(False, total or 0, [], tickets, categories)


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
    needs the tickets themselves (dates, overdue, a place other than a whole district) or
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
    if wanted.date_from or wanted.date_to or wanted.overdue:
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
                    overdue=is_overdue(row.status, row.due_at, now),
                    lat=round_public(row.lat),
                    lon=round_public(row.lon),
                    public_text=row.public_text,
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
