"""'Me too' on an incident (issue 14): from the button on its public page, or by SMS with
`+1 <ref>` / `انا هم <ref>` naming any ticket of it. Each adds a supporter, not a ticket, once
per phone or client address (kept as a keyed hash, feedback.domain.support)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from feedback.domain.incidents import TAKES_REPORTS, IncidentStatus
from feedback.domain.support import SupportChannel, SupportOutcome, supporter_key
from feedback.extensions import db
from feedback.models import MAX_ROW_ID, Ticket, utcnow
from feedback.models.incidents import Incident, IncidentSupport
from feedback.services.incidents import report_count
from feedback.services.settings import settings


@dataclass(frozen=True)
class Support:
    outcome: SupportOutcome
    reports: int = 0  # the incident's reports, supporters included, once it is found


def support_from_web(incident_id: int, address: str) -> Support:
    """The public page's "me too" from a client address: one transaction."""
    support = add_supporter(incident_id, SupportChannel.WEB, address, utcnow())
    db.session.commit()
    return support


def add_supporter(
    incident_id: int, channel: SupportChannel, identity: str, now: datetime
) -> Support:
    """Count `identity` (a phone or an address) as affected by the incident, unless it was
    counted already, reported it by SMS, or the incident is over. In the caller's
    transaction; the incident's row is locked (PostgreSQL) so concurrent supports all count."""
    if not 0 < incident_id <= MAX_ROW_ID:
        return Support(SupportOutcome.NOT_FOUND)
    incident = db.session.scalar(
        sa.select(Incident).where(Incident.id == incident_id).with_for_update()
    )
    if incident is None:
        return Support(SupportOutcome.NOT_FOUND)
    if IncidentStatus(incident.status) not in TAKES_REPORTS:
        return Support(SupportOutcome.CLOSED, report_count(incident))
    if channel is SupportChannel.SMS and _reported_it(incident, identity):
        return Support(SupportOutcome.ALREADY, report_count(incident))
    key = supporter_key(settings().supporter_secret, channel, identity)
    try:
        with db.session.begin_nested():  # the unique key refuses a second support
            db.session.add(
                IncidentSupport(
                    incident_id=incident.id, channel=channel, supporter_key=key, created_at=now
                )
            )
    except IntegrityError:
        return Support(SupportOutcome.ALREADY, report_count(incident))
    incident.supporters = Incident.supporters + 1  # counted in SQL, not from a stale read
    incident.updated_at = now
    db.session.flush()
    return Support(SupportOutcome.ADDED, report_count(incident))


def _reported_it(incident: Incident, phone: str) -> bool:
    """Whether the phone has a ticket in the incident: it is counted already."""
    query = sa.select(Ticket.id).where(
        Ticket.incident_id == incident.id, Ticket.citizen_phone == phone
    )
    return db.session.scalar(query.limit(1)) is not None
