"""Reading tickets for the public: what /t/<ref> may show, and nothing more. Pages get a
record of public fields, never the ticket row, so no template can reach the citizen's
number or name."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from feedback.domain.attachments import AttachmentKind, Fetch, Review
from feedback.domain.events import FIX_QUESTION_KINDS, PUBLIC_EVENT_KINDS
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, Outbox, Ticket
from feedback.models.attachments import Attachment
from feedback.models.incidents import Incident
from feedback.models.rollups import EVERY_CHANNEL, RollupState, ScorecardDay
from feedback.services.incidents import report_count
from feedback.services.phones import notices_off


@dataclass(frozen=True)
class PublicName:
    """A directorate's, category's or area's name in both languages."""

    name_ar: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_en

    @classmethod
    def of(cls, row: Area | Category | Directorate | None) -> "PublicName | None":
        return cls(row.name_ar, row.name_en) if row is not None else None


@dataclass(frozen=True)
class PublicEvent:
    """A step of the timeline with something public to say."""

    created_at: datetime
    kind: str
    actor_label: str
    to_status: str | None
    public_message: str | None  # masked when stored
    # Only PUBLIC_DETAILS: an incident event's step (why it joined is for staff), an
    # escalation's level (never to whom by name), a moderator's action (never who or why).
    details: dict[str, str] | None = None


PUBLIC_DETAILS = ("step", "level", "action")


@dataclass(frozen=True)
class IncidentLink:
    """The incident a ticket is one report of, for a link to its page."""

    id: int
    reports: int  # tickets and "me too" supporters


@dataclass(frozen=True)
class PublicTicket:
    reference: str
    status: str
    category: PublicName | None
    area: PublicName | None
    directorate: PublicName | None
    created_at: datetime
    due_at: datetime | None
    public_text: str  # the citizen's text with phone numbers masked, or as a moderator left it
    events: list[PublicEvent]
    notices_off: bool = False  # its citizen texted STOP: said publicly, the number never
    incident: IncidentLink | None = None
    # The last step of "is it fixed?" (asked, confirmed, not fixed, unconfirmed); None: never asked.
    fix_step: PublicEvent | None = None
    # A moderator redacted or hid the text (feedback.domain.moderation.TextModeration).
    text_moderation: str | None = None
    photo_ids: tuple[int, ...] = ()  # its photos a moderator approved, oldest first


def ticket_by_reference(reference: str, lock: bool = False) -> Ticket | None:
    """The ticket a reference as typed names (case forgiven); `lock` holds its row until
    commit (PostgreSQL)."""
    query = sa.select(Ticket).where(Ticket.reference == reference.upper())
    return db.session.scalar(query.with_for_update() if lock else query)


def _public_details(details: dict[str, str] | None) -> dict[str, str] | None:
    shown = {name: details[name] for name in PUBLIC_DETAILS if name in details} if details else {}
    return shown or None


def find_public_ticket(reference: str) -> PublicTicket | None:
    ticket = ticket_by_reference(reference)
    if ticket is None:
        return None
    events = [
        PublicEvent(
            e.created_at,
            e.kind,
            e.actor_label,
            e.to_status,
            e.public_message,
            _public_details(e.details),
        )
        for e in ticket.events
        if e.kind in PUBLIC_EVENT_KINDS
    ]
    return PublicTicket(
        reference=ticket.reference,
        status=ticket.status,
        category=PublicName.of(ticket.category),
        area=PublicName.of(ticket.area),
        directorate=PublicName.of(ticket.directorate),
        created_at=ticket.created_at,
        due_at=ticket.due_at,
        public_text=ticket.public_text,
        events=events,
        notices_off=bool(ticket.citizen_phone and notices_off(ticket.citizen_phone)),
        incident=_incident_link(ticket.incident_id),
        fix_step=next((e for e in reversed(events) if e.kind in FIX_QUESTION_KINDS), None),
        text_moderation=ticket.text_moderation,
        photo_ids=tuple(public_photo_ids([ticket.id]).get(ticket.id, ())),
    )


def _incident_link(incident_id: int | None) -> IncidentLink | None:
    incident = db.session.get(Incident, incident_id) if incident_id is not None else None
    return IncidentLink(incident.id, report_count(incident)) if incident is not None else None


def receipt_sms(reference: str) -> Outbox | None:
    """The SMS that told the citizen their reference (the ticket's first), or None when they
    gave no number: the page after a report says whether it goes out, and if not why."""
    query = (
        sa.select(Outbox)
        .join(Ticket, Outbox.ticket_id == Ticket.id)
        .where(Ticket.reference == reference.upper())
        .order_by(Outbox.id)
        .limit(1)
    )
    return db.session.scalar(query)


def active_categories() -> list[Category]:
    return list(
        db.session.scalars(sa.select(Category).where(Category.active).order_by(Category.id))
    )


def count_tickets() -> int:
    """Tickets received so far: those the last rollup refresh counted and those written since
    (a higher id), in one statement; before any refresh, every ticket counted. A ticket whose
    transaction was still open at the refresh waits for the next one (a few minutes)."""
    since = sa.select(RollupState.last_ticket_id).where(RollupState.id == 1).scalar_subquery()
    counted = (
        sa.select(sa.func.sum(ScorecardDay.received))
        .where(ScorecardDay.grouping == "directorate", ScorecardDay.channel == EVERY_CHANNEL)
        .scalar_subquery()
    )
    newer = sa.select(sa.func.count(Ticket.id)).where(Ticket.id > since).scalar_subquery()
    found = db.session.execute(sa.select(since, counted, newer)).one()
    if found[0] is None:
        return db.session.scalar(sa.select(sa.func.count(Ticket.id))) or 0
    return int(found[1] or 0) + int(found[2])


def basemap_geojson() -> dict[str, Any]:
    """District outlines and named places: enough to find one's street with no tile server."""
    areas = db.session.scalars(
        sa.select(Area).where(
            sa.or_(
                sa.and_(Area.kind == "district", Area.polygon.is_not(None)),
                sa.and_(Area.kind.in_(["town", "neighbourhood"]), Area.lat.is_not(None)),
            )
        )
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"kind": a.kind, "name_ar": a.name_ar, "name_en": a.name_en},
                "geometry": a.polygon or {"type": "Point", "coordinates": [a.lon, a.lat]},
            }
            for a in areas
        ],
    }


def public_photo_ids(ticket_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each ticket's approved, stored photos, oldest first (/t/<ref>, Open311's media_url)."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Attachment.ticket_id, Attachment.id)
        .where(
            Attachment.ticket_id.in_(ids),
            Attachment.kind == AttachmentKind.PHOTO,
            Attachment.review == Review.APPROVED,
            Attachment.fetch == Fetch.STORED,
        )
        .order_by(Attachment.id)
    )
    found: dict[int, list[int]] = {}
    for ticket_id, attachment_id in rows:
        found.setdefault(ticket_id, []).append(attachment_id)
    return found
