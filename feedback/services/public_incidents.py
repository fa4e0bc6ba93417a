"""Reading incidents for the public: what /incidents/<id> may show, and nothing more. Pages
get records of public fields, never rows, so no template can reach a citizen's number, name
or words, or why staff put a ticket in the incident."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from feedback.domain.incidents import TAKES_REPORTS, IncidentStatus
from feedback.extensions import db
from feedback.models import MAX_ROW_ID, Ticket
from feedback.models.incidents import Incident
from feedback.services.incidents import report_count
from feedback.services.tickets import PublicName

# The member tickets listed on the page, oldest first; the count says how many there are.
LISTED_MEMBERS = 200


@dataclass(frozen=True)
class PublicIncidentEvent:
    created_at: datetime
    kind: str  # feedback.domain.incidents.IncidentEventKind
    public_message: str | None  # in the page's language, else the other; masked when stored


@dataclass(frozen=True)
class PublicMember:
    """A ticket of the incident: its reference and status, as its own public page shows."""

    reference: str
    status: str


@dataclass(frozen=True)
class PublicIncident:
    id: int
    status: str  # feedback.domain.incidents.IncidentStatus
    category: PublicName
    directorate: PublicName | None
    areas: list[PublicName]
    reports: int  # tickets and "me too" supporters
    supporters: int  # of which "me too"
    opened_at: datetime
    expected_end: datetime | None
    resolved_at: datetime | None
    events: list[PublicIncidentEvent]
    members: list[PublicMember]  # the first LISTED_MEMBERS
    takes_support: bool  # still counting reports: "me too" is offered


def find_public_incident(incident_id: int, language: str) -> PublicIncident | None:
    """The incident as the public sees it, its messages in `language`; None when there is no
    such incident (an id no row can have included)."""
    if not 0 < incident_id <= MAX_ROW_ID:
        return None
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        return None
    members = db.session.execute(
        sa.select(Ticket.reference, Ticket.status)
        .where(Ticket.incident_id == incident.id)
        .order_by(Ticket.created_at, Ticket.id)
        .limit(LISTED_MEMBERS)
    )
    return PublicIncident(
        id=incident.id,
        status=incident.status,
        category=PublicName(incident.category.name_ar, incident.category.name_en),
        directorate=PublicName.of(incident.directorate),
        areas=[PublicName(area.name_ar, area.name_en) for area in incident.areas],
        reports=report_count(incident),
        supporters=incident.supporters,
        opened_at=incident.opened_at,
        expected_end=incident.expected_end,
        resolved_at=incident.resolved_at,
        events=[
            PublicIncidentEvent(event.created_at, event.kind, event.public_message(language))
            for event in incident.events
        ],
        members=[PublicMember(reference, status) for reference, status in members],
        takes_support=IncidentStatus(incident.status) in TAKES_REPORTS,
    )
