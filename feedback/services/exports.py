"""Open data: the public tickets as CSV and GeoJSON, written row by row as the database hands
them over, so an export of 100,000 tickets starts at once and never sits in memory."""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import datetime
from typing import Any

from feedback.services.open_data import PublicRow

CSV_COLUMNS = [field.name for field in fields(PublicRow)]
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: str) -> str:
    """Text a spreadsheet shows as text: a leading ' defuses =, +, -, @ and friends."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # numbers stay numbers: -0.5 is no formula
    return guard_cell(str(value))


def csv_chunks(rows: Iterable[PublicRow]) -> Iterator[str]:
    """A header line, then one line per ticket (RFC 4180 quoting by the csv module)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()  # the BOM makes Excel read the Arabic as UTF-8
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(getattr(row, name)) for name in CSV_COLUMNS])
        yield buffer.getvalue()


def dumps_public(value: Any) -> str:
    """JSON with <, > and & escaped, so no browser ever sniffs markup out of a complaint."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def feature(row: PublicRow) -> dict[str, Any]:
    properties = {}
    for name in CSV_COLUMNS:
        if name in ("lat", "lon"):
            continue
        value = getattr(row, name)
        properties[name] = value.isoformat() if isinstance(value, datetime) else value
    geometry = None
    if row.lat is not None and row.lon is not None:
        geometry = {"type": "Point", "coordinates": [row.lon, row.lat]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def geojson_chunks(rows: Iterable[PublicRow]) -> Iterator[str]:
    """A FeatureCollection, one feature per chunk; tickets with no point have geometry null."""
    yield '{"type":"FeatureCollection","features":['
    separator = ""
    for row in rows:
        yield separator + dumps_public(feature(row))
        separator = ",\n"
    yield "]}\n"
