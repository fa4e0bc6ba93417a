"""Reading tickets for the public: what /t/<ref> may show, and nothing more."""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Area, Category, Outbox, Ticket, TicketEvent
from feedback.models.rollups import RollupState, ScorecardDay
from feedback.services.phones import notices_off


@dataclass(frozen=True)
class PublicTicket:
    ticket: Ticket
    events: list[TicketEvent]  # only those with something public to say
    notices_off: bool = False  # its citizen texted STOP: said publicly, the number never


PUBLIC_EVENT_KINDS = {"created", "routed", "triage", "status", "transfer", "overdue", "verified"}


def ticket_by_reference(reference: str, lock: bool = False) -> Ticket | None:
    """The ticket a reference as typed names (case forgiven); `lock` holds its row until
    commit (PostgreSQL)."""
    query = sa.select(Ticket).where(Ticket.reference == reference.upper())
    return db.session.scalar(query.with_for_update() if lock else query)


def find_public_ticket(reference: str) -> PublicTicket | None:
    ticket = ticket_by_reference(reference)
    if ticket is None:
        return None
    events = [event for event in ticket.events if event.kind in PUBLIC_EVENT_KINDS]
    silenced = bool(ticket.citizen_phone and notices_off(ticket.citizen_phone))
    return PublicTicket(ticket, events, silenced)


def receipt_sms(ticket: Ticket) -> Outbox | None:
    """The SMS that told the citizen their reference (the ticket's first), or None when they
    gave no number: the page after a report says whether it goes out, and if not why."""
    query = sa.select(Outbox).where(Outbox.ticket_id == ticket.id).order_by(Outbox.id).limit(1)
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
        .where(ScorecardDay.grouping == "directorate")
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
