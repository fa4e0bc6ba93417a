"""Reading tickets for the public: what /t/<ref> may show, and nothing more."""

from dataclasses import dataclass

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Area, Category, Ticket, TicketEvent


@dataclass(frozen=True)
class PublicTicket:
    ticket: Ticket
    events: list[TicketEvent]  # only those with something public to say


PUBLIC_EVENT_KINDS = {"created", "routed", "triage", "status", "transfer"}


def find_public_ticket(reference: str) -> PublicTicket | None:
    ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference.upper()))
    if ticket is None:
        return None
    events = [event for event in ticket.events if event.kind in PUBLIC_EVENT_KINDS]
    return PublicTicket(ticket, events)


def active_categories() -> list[Category]:
    return list(
        db.session.scalars(sa.select(Category).where(Category.active).order_by(Category.id))
    )


def count_tickets() -> int:
    return db.session.scalar(sa.select(sa.func.count(Ticket.id))) or 0


def district_boundaries_geojson() -> dict:
    districts = db.session.scalars(
        sa.select(Area).where(Area.kind == "district", Area.polygon.is_not(None))
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": d.code, "name_ar": d.name_ar, "name_en": d.name_en},
                "geometry": d.polygon,
            }
            for d in districts
        ],
    }
