"""The public map's and the exports' query strings read into the services' filter and box; a
value that cannot be understood is a BadFilter, which the views answer with 400."""

from collections.abc import Mapping
from datetime import date

from feedback.domain.lifecycle import Status
from feedback.domain.period import BadDate, parse_day
from feedback.services.map_filter import BoundingBox, MapFilter


class BadFilter(ValueError):
    """A query-string value that cannot be understood (bbox, zoom, date, status)."""


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
        overdue=_ticked(args, "overdue"),
        escalated=_ticked(args, "escalated"),
    )


def _ticked(args: Mapping[str, str], name: str) -> bool:
    return (args.get(name) or "").lower() in ("1", "true", "on", "yes")


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
