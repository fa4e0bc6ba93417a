"""Open311 GeoReport v2 (DESIGN.md, Web): services are our categories, requests our tickets,
shown with public fields only — never a phone number or a name."""

import hashlib
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from feedback.domain.channels import Channel
from feedback.domain.events import PUBLIC_EVENT_KINDS
from feedback.domain.lifecycle import OPEN_STATUSES, Status
from feedback.domain.phone import normalise_phone
from feedback.domain.reference import normalise_reference
from feedback.domain.text import detect_language
from feedback.extensions import db
from feedback.models import ApiKey, Area, Category, Directorate, Ticket, TicketEvent, utcnow
from feedback.services.incidents import report_counts
from feedback.services.intake import WebReport, submit_web_report
from feedback.services.map_filter import round_public
from feedback.services.parser_cache import load_knowledge
from feedback.services.tickets import IncidentLink, public_photo_ids

MAX_RANGE = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 250
KEYWORDS_PER_SERVICE = 5
CLOSED_STATUSES = frozenset(Status) - OPEN_STATUSES


class Open311Error(Exception):
    """A failure the client is told about in the spec's error format, with this HTTP code."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass(frozen=True)
class Service:
    """An active category as an Open311 service, in English."""

    code: str
    name: str
    description: str
    keywords: tuple[str, ...]
    group: str


@dataclass(frozen=True)
class ServiceRequest:
    """A ticket as Open311 shows it: public fields only, the point rounded to about 100 m."""

    reference: str
    is_open: bool
    status_notes: str  # the latest public message
    service_code: str
    service_name: str
    public_text: str  # masked
    agency: str  # the directorate's English name
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    address: str | None  # the area path, most specific first
    area_code: str | None
    lat: float | None
    lon: float | None
    incident: IncidentLink | None  # the incident the ticket is one report of
    photo_id: int | None = None  # its first photo a moderator approved: media_url


@dataclass(frozen=True)
class CreatedRequest:
    reference: str
    notice: str  # what happened to it, in a sentence


def services() -> list[Service]:
    """One service per active category."""
    categories = db.session.scalars(
        sa.select(Category).where(Category.active).order_by(Category.id)
    )
    return [_service(category) for category in categories]


def _service(category: Category) -> Service:
    keywords = (category.keywords or {}).get("en", [])[:KEYWORDS_PER_SERVICE]
    return Service(
        category.code, category.name_en, category.description_en, tuple(keywords), category.group
    )


def active_service(code: str) -> Service:
    """The service of an active category; an unknown or retired code is a 404."""
    category = _active_category(code)
    if category is None:
        raise Open311Error(404, f"service_code {code} not found")
    return _service(category)


def _active_category(code: str) -> Category | None:
    return db.session.scalar(sa.select(Category).where(Category.code == code, Category.active))


# What a request shows of a ticket; only these columns are read (not whole tickets).
_COLUMNS = (
    Ticket.id,
    Ticket.reference,
    Ticket.status,
    Ticket.category_id,
    Ticket.directorate_id,
    Ticket.area_id,
    Ticket.public_text,
    Ticket.created_at,
    Ticket.updated_at,
    Ticket.due_at,
    Ticket.lat,
    Ticket.lon,
    Ticket.incident_id,
)


def find_requests(
    ids: list[str],
    codes: list[str],
    start: datetime | None,
    end: datetime | None,
    statuses: list[str],
    now: datetime | None = None,
) -> list[ServiceRequest]:
    """GET /requests: at most 1000, newest first. `ids` override every other filter; else the
    window is at most 90 days and defaults to the last 90."""
    query = (
        sa.select(*_COLUMNS)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(MAX_REQUESTS)
    )
    if ids:
        references = [normalise_reference(value) for value in ids]
        query = query.where(Ticket.reference.in_([r for r in references if r]))
        return _requests(db.session.execute(query).all())
    start, end = _window(start, end, now or utcnow())
    query = query.where(Ticket.created_at >= start, Ticket.created_at <= end)
    if codes:
        query = query.where(
            Ticket.category_id.in_(sa.select(Category.id).where(Category.code.in_(codes)))
        )
    if statuses:
        unknown = set(statuses) - {"open", "closed"}
        if unknown:
            raise Open311Error(400, "status must be open or closed")
        wanted: set[str] = set()
        if "open" in statuses:
            wanted |= OPEN_STATUSES
        if "closed" in statuses:
            wanted |= CLOSED_STATUSES
        query = query.where(Ticket.status.in_(sorted(wanted)))
    return _requests(db.session.execute(query).all())


def _window(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    if start is None:
        if end is None:
            return now - MAX_RANGE, now
        start = end - MAX_RANGE
    if end is None:
        end = start + MAX_RANGE
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_RANGE:
        raise Open311Error(400, "start_date to end_date may span at most 90 days")
    return start, end


def find_request(reference: str) -> list[ServiceRequest]:
    """GET /requests/<id>: a list of one, as the spec wants; 404 when there is no such ticket."""
    normalised = normalise_reference(reference)
    rows: Sequence[sa.Row[*tuple[Any, ...]]] = []
    if normalised:
        rows = db.session.execute(sa.select(*_COLUMNS).where(Ticket.reference == normalised)).all()
    if not rows:
        raise Open311Error(404, f"service_request_id {reference} not found")
    return _requests(rows)


@dataclass(frozen=True)
class _Names:
    """The English names a request shows, read once for all the requests of a response."""

    categories: dict[int, tuple[str, str]]  # id -> (code, name)
    directorates: dict[int, str]  # id -> name
    areas: dict[int, tuple[str, str | None]]  # id -> (code, address)

    @classmethod
    def load(cls) -> "_Names":
        categories = {
            row.id: (row.code, row.name_en)
            for row in db.session.execute(sa.select(Category.id, Category.code, Category.name_en))
        }
        directorates = dict(
            db.session.execute(sa.select(Directorate.id, Directorate.name_en)).all()
        )
        areas = {
            row.id: row
            for row in db.session.execute(
                sa.select(Area.id, Area.code, Area.name_en, Area.kind, Area.parent_id)
            )
        }
        return cls(
            categories,
            directorates,
            {area_id: (row.code, _address(area_id, areas)) for area_id, row in areas.items()},
        )


def _address(area_id: int | None, areas: dict[int, sa.Row[*tuple[Any, ...]]]) -> str | None:
    """The area path in English, most specific first, stopping before the governorate."""
    names: list[str] = []
    seen: set[int] = set()
    while area_id is not None and area_id in areas and area_id not in seen:
        seen.add(area_id)
        area = areas[area_id]
        if area.kind != "governorate":
            names.append(area.name_en)
        area_id = area.parent_id
    return ", ".join(names) or None


def _requests(rows: Sequence[sa.Row[*tuple[Any, ...]]]) -> list[ServiceRequest]:
    if not rows:
        return []
    names = _Names.load()
    notes = _last_public_messages([row.id for row in rows])
    counts = report_counts(row.incident_id for row in rows if row.incident_id is not None)
    photos = public_photo_ids(row.id for row in rows)
    return [
        _request(row, names, notes.get(row.id, ""), counts, photos.get(row.id, [None])[0])
        for row in rows
    ]


def _last_public_messages(ticket_ids: list[int]) -> dict[int, str]:
    """Each ticket's latest public message, in one query rather than one per ticket."""
    if not ticket_ids:
        return {}
    rows = db.session.execute(
        sa.select(TicketEvent.ticket_id, TicketEvent.public_message)
        .where(
            TicketEvent.ticket_id.in_(ticket_ids),
            TicketEvent.kind.in_(sorted(PUBLIC_EVENT_KINDS)),
            TicketEvent.public_message.is_not(None),
            TicketEvent.public_message != "",
        )
        .order_by(TicketEvent.id)
    )
    return {ticket_id: message for ticket_id, message in rows if message}


def _request(
    ticket: sa.Row[*tuple[Any, ...]],
    names: _Names,
    status_notes: str,
    counts: dict[int, int],
    photo_id: int | None,
) -> ServiceRequest:
    category_code, category_name = names.categories.get(ticket.category_id, ("", ""))
    area_code, address = names.areas.get(ticket.area_id, (None, None))
    return ServiceRequest(
        reference=ticket.reference,
        is_open=ticket.status in OPEN_STATUSES,
        status_notes=status_notes,
        service_code=category_code,
        service_name=category_name,
        public_text=ticket.public_text,
        agency=names.directorates.get(ticket.directorate_id, ""),
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        due_at=ticket.due_at,
        address=address,
        area_code=area_code,
        lat=round_public(ticket.lat),
        lon=round_public(ticket.lon),
        incident=(
            IncidentLink(ticket.incident_id, counts.get(ticket.incident_id, 0))
            if ticket.incident_id is not None
            else None
        ),
        photo_id=photo_id,
    )


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(label: str, organisation: str) -> str:
    """A new key; only its hash is kept, so the caller must show it now or never."""
    key = secrets.token_urlsafe(32)
    db.session.add(ApiKey(key_hash=hash_api_key(key), label=label, organisation=organisation))
    db.session.commit()
    return key


@dataclass(frozen=True)
class NewRequest:
    """A POST /requests as the view read it: raw strings, empty ones None."""

    api_key: str | None
    service_code: str | None
    lat: str | None = None
    lon: str | None = None
    address_string: str | None = None
    description: str | None = None
    phone: str | None = None


def create_request(new: NewRequest) -> CreatedRequest:
    """POST /requests: a ticket from an API client, routed like a web report."""
    key = _active_key(new.api_key)
    if key is None:
        raise Open311Error(403, "api_key missing or not valid")
    if not new.service_code:
        raise Open311Error(400, "service_code is required")
    if _active_category(new.service_code) is None:
        raise Open311Error(404, f"service_code {new.service_code} not found")
    description = (new.description or "").strip()
    address = (new.address_string or "").strip()
    _check_text("description", description, MAX_DESCRIPTION)
    _check_text("address_string", address, MAX_ADDRESS)
    phone = None
    if new.phone:
        phone = normalise_phone(new.phone)
        if phone is None:
            raise Open311Error(400, "phone is not a valid phone number")
    if (new.lat is None) != (new.lon is None):
        raise Open311Error(400, "lat and long must be given together")
    lat, lon = _coordinate(new.lat, 90), _coordinate(new.lon, 180)
    if lat is not None and lon is not None:
        location = load_knowledge().gazetteer.locate_point(lat, lon, "map_pin")
        if location.outside_area:
            raise Open311Error(400, "lat/long is outside Basra governorate")
        text = description
    elif address:
        # The gazetteer finds the place in the text, as it does for an SMS.
        text = f"{description}\n{address}" if description else address
    else:
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    key.last_used_at = utcnow()  # committed with the ticket
    ticket = submit_web_report(
        WebReport(
            category_code=new.service_code,
            description=text,
            language=detect_language(text),
            lat=lat,
            lon=lon,
            phone=phone,
            channel=Channel.API,
        )
    )
    return CreatedRequest(ticket.reference, _notice(ticket))


def _coordinate(value: str | None, limit: float) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, "lat and long must be decimal degrees (WGS84)") from None
    if not math.isfinite(number) or abs(number) > limit:
        raise Open311Error(400, "lat and long must be decimal degrees (WGS84)")
    return number


def _active_key(key: str | None) -> ApiKey | None:
    if not key:
        return None
    return db.session.scalar(
        sa.select(ApiKey).where(ApiKey.key_hash == hash_api_key(key), ApiKey.active)
    )


def _check_text(name: str, text: str, limit: int) -> None:
    if len(text) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters")
    if "<" in text or ">" in text:
        raise Open311Error(400, f"{name} may not contain HTML")


def _notice(ticket: Ticket) -> str:
    if ticket.directorate is None:
        return "Received; it waits for an administrator to route it."
    return f"Sent to {ticket.directorate.name_en}."
