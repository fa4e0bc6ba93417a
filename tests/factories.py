"""The tickets, users, events and replies tests build, in one place: each through the path the
application itself takes (the signed webhook, the web form's service, the officer's casework),
or straight to the table where a test needs many rows or rows dated in the past."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket, TicketEvent, User
from feedback.services import casework
from feedback.services.intake import WebReport, submit_web_report

FILER = "+9647801234567"  # the number tests.conftest.TwilioWebhook sends from


# ---------------------------------------------------------------- SMS answers


def answer_of(response) -> str | None:
    """The text of a Twilio webhook's TwiML answer, or None when it carries no message."""
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    message = root.find("Message")
    return None if message is None else message.text


def reply_of(response) -> str:
    """The text of a Twilio webhook's TwiML answer, which must carry a message."""
    reply = answer_of(response)
    assert reply is not None, response.get_data(as_text=True)
    return reply


# ---------------------------------------------------------------- users


def demo_user(username: str) -> User:
    """One of the seeded demo accounts (tests.conftest.DEMO_PASSWORDS), in the open session."""
    return db.session.scalar(sa.select(User).where(User.username == username))


# ---------------------------------------------------------------- tickets


def sms_ticket(twilio, text: str = "ماكو ماي بحي الحسين", sender: str = FILER) -> str:
    """A complaint sent through the signed Twilio webhook; the newest ticket's reference."""
    reply_of(twilio.send(text, sender=sender))
    with twilio.app.app_context():
        return db.session.scalar(sa.select(Ticket.reference).order_by(Ticket.id.desc()))


def resolved_ticket(twilio, message: str = "تم تصليح الخط", sender: str = FILER) -> str:
    """A water complaint by SMS that the water officer acknowledged and resolved with
    `message`; the notices those steps queued are removed. Its reference."""
    reply_of(twilio.send("ماكو ماي بحي الحسين", sender=sender))
    with twilio.app.app_context():
        reference = db.session.scalar(sa.select(Ticket.reference).order_by(Ticket.id.desc()))
        officer = demo_user("officer.water")
        casework.act(officer, reference, "acknowledge")
        casework.act(officer, reference, "resolve", message)
        db.session.execute(sa.delete(Outbox))
        db.session.commit()
    return reference


def web_ticket(
    app, lat, lon, category="water-supply", text="ماكو ماي", phone=FILER, **changes
) -> str:
    """A report through the web form's service with a pin and a phone, then `changes` written
    straight to the row. Its reference."""
    with app.app_context():
        ticket = submit_web_report(
            WebReport(
                category_code=category,
                description=text,
                language="ar",
                lat=lat,
                lon=lon,
                phone=phone,
            )
        )
        for name, value in changes.items():
            setattr(ticket, name, value)
        db.session.commit()
        return ticket.reference


def ticket_row(reference: str, **columns) -> Ticket:
    """A ticket built straight as a row, not yet added to the session, for tests that need many
    tickets or tickets from the past: a new Arabic SMS complaint unless `columns` say more."""
    return Ticket(
        **{
            "reference": reference,
            "channel": "sms",
            "original_text": "ماكو ماي",
            "language": "ar",
            "status": "new",
            **columns,
        }
    )


# A citizen's contact, kept with a ticket and typed into its text, that no public page may show.
CITIZEN_PHONE = "+9647801234567"
CITIZEN_NAME = "Hassan Kadhim"


def timed_ticket(
    reference: str,
    created_at: datetime,
    ack_hours: int | None,
    resolve_hours: int | None,
    **columns,
) -> Ticket:
    """A ticket row received at `created_at`, acknowledged and answered so many hours later
    (None: not yet), due 48 hours after receipt, with the citizen's contact in its text and
    columns: for figures from known times, on pages that must not show who complained."""
    return ticket_row(
        reference,
        original_text=f"ماكو ماي، اتصلوا بي {CITIZEN_PHONE} {CITIZEN_NAME}",
        public_text="ماكو ماي",
        citizen_phone=CITIZEN_PHONE,
        citizen_name=CITIZEN_NAME,
        created_at=created_at,
        acknowledged_at=created_at + timedelta(hours=ack_hours) if ack_hours else None,
        resolved_at=created_at + timedelta(hours=resolve_hours) if resolve_hours else None,
        due_at=created_at + timedelta(hours=48),
        **columns,
    )


def only_ticket(app) -> Ticket:
    """The one ticket there is, with its category, area, directorate and events (and their
    actors) loaded, to read after its session has closed."""
    with app.app_context():
        tickets = db.session.scalars(sa.select(Ticket)).all()
        assert len(tickets) == 1
        ticket = tickets[0]
        _ = ticket.category, ticket.area, ticket.directorate, ticket.triage_reason
        for event in ticket.events:
            _ = event.actor
        return ticket


# ---------------------------------------------------------------- events


def reopening(created_at: datetime | None = None, from_status: str | None = None) -> TicketEvent:
    """The event of a citizen reopening a ticket, to append to `ticket.events`; received now
    unless `created_at` says when."""
    when = {} if created_at is None else {"created_at": created_at}
    return TicketEvent(
        actor_label="citizen", kind="status", from_status=from_status, to_status="reopened", **when
    )


# ---------------------------------------------------------------- incidents


def declared_incident(directorate: str = "water", category: str = "water-supply", **columns):
    """An open outage notice of `directorate`, written straight to the table; its id."""
    from feedback.models import Category, Directorate
    from feedback.models.incidents import Incident

    incident = Incident(
        category=db.session.scalar(sa.select(Category).where(Category.code == category)),
        directorate=db.session.scalar(
            sa.select(Directorate).where(Directorate.code == directorate)
        ),
        status="open",
        origin="declared",
        **columns,
    )
    db.session.add(incident)
    db.session.commit()
    return incident.id
