"""Intake: a citizen's message or web report becomes a routed ticket with a reference.

Each public function is one transaction; nothing half-done is ever committed."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from feedback.domain import sla
from feedback.domain.classify import Classification
from feedback.domain.inbound import InboundMessage
from feedback.domain.lifecycle import Status
from feedback.domain.locate import Location
from feedback.domain.reference import new_reference
from feedback.domain.routing import route
from feedback.domain.text import detect_language, mask_phone_numbers, normalise_arabic
from feedback.extensions import db
from feedback.models import (
    Area,
    Category,
    Directorate,
    Message,
    Outbox,
    Ticket,
    TicketEvent,
    utcnow,
)
from feedback.services.knowledge import Knowledge, load_knowledge
from feedback.sms.replies import reply_text

HELP_WORDS = {"help", "مساعده", "مساعدة", "?", "؟"}


@dataclass(frozen=True)
class IntakeReply:
    text: str
    language: str
    reference: str | None = None
    duplicate: bool = False


@dataclass(frozen=True)
class WebReport:
    category_code: str
    description: str
    language: str
    lat: float | None = None
    lon: float | None = None
    phone: str | None = None  # E.164, already validated


def receive_message(message: InboundMessage, max_length: int) -> IntakeReply:
    """Handle one inbound SMS/WhatsApp message exactly once per (channel, message id)."""
    earlier = _earlier_reply(message)
    if earlier is not None:
        return earlier
    language = detect_language(message.text)
    record = Message(
        channel=message.channel,
        direction="in",
        external_id=message.message_id,
        from_number=message.sender,
        to_number=message.recipient,
        body=message.text,
        raw=message.raw,
    )
    db.session.add(record)
    try:
        db.session.flush()  # the unique constraint decides who handles a retried message
    except IntegrityError:
        db.session.rollback()
        earlier = _earlier_reply(message)
        if earlier is None:
            raise
        return earlier

    reply = _answer(message, language, max_length, record)
    record.reply_body = reply.text
    db.session.commit()
    return reply


def _answer(
    message: InboundMessage, language: str, max_length: int, record: Message
) -> IntakeReply:
    text = message.text.strip()
    if len(message.text) > max_length:
        body = reply_text("too_long", language, length=len(message.text), limit=max_length)
        return IntakeReply(body, language)
    if normalise_arabic(text) in HELP_WORDS or not text:
        return IntakeReply(reply_text("help", language), language)
    knowledge = load_knowledge()
    if message.lat is not None and message.lon is not None:
        location = knowledge.gazetteer.locate_point(message.lat, message.lon, "gps")
    else:
        location = knowledge.gazetteer.find_in_text(text)
    ticket = _open_ticket(
        knowledge,
        channel=message.channel,
        text=message.text,
        language=language,
        classification=knowledge.classifier.classify(text),
        location=location,
        phone=message.sender,
        name=message.raw.get("ProfileName"),
    )
    record.ticket = ticket
    return IntakeReply(_received_text(ticket, language), language, ticket.reference)


def _earlier_reply(message: InboundMessage) -> IntakeReply | None:
    earlier = db.session.scalar(
        sa.select(Message).where(
            Message.channel == message.channel,
            Message.direction == "in",
            Message.external_id == message.message_id,
        )
    )
    if earlier is None:
        return None
    reference = earlier.ticket.reference if earlier.ticket else None
    language = detect_language(earlier.body)
    return IntakeReply(earlier.reply_body or "", language, reference, duplicate=True)


def submit_web_report(report: WebReport) -> Ticket:
    """A ticket from the web form: the citizen chose the category, and maybe dropped a pin."""
    knowledge = load_knowledge()
    if report.lat is not None and report.lon is not None:
        location = knowledge.gazetteer.locate_point(report.lat, report.lon, "map_pin")
    else:
        location = knowledge.gazetteer.find_in_text(report.description)
    ticket = _open_ticket(
        knowledge,
        channel="web",
        text=report.description,
        language=report.language,
        classification=Classification(report.category_code, 1.0, {report.category_code: 1.0}),
        location=location,
        phone=report.phone,
        name=None,
    )
    if report.phone:
        db.session.add(
            Outbox(
                ticket=ticket,
                to_number=report.phone,
                body=_received_text(ticket, report.language),
                language=report.language,
                channel="sms",
            )
        )
    db.session.commit()
    return ticket


def _open_ticket(
    knowledge: Knowledge,
    *,
    channel: str,
    text: str,
    language: str,
    classification: Classification,
    location: Location,
    phone: str | None,
    name: str | None,
) -> Ticket:
    now = utcnow()
    category = _by_code(Category, classification.code)
    area = _by_code(Area, location.place_code)
    lineage = [a.code for a in area.lineage()] if area else []
    decision = route(classification.code, lineage, knowledge.rules)
    ticket = Ticket(
        reference=_unused_reference(),
        channel=channel,
        original_text=text,
        public_text=mask_phone_numbers(text),
        language=language,
        category=category,
        category_confidence=classification.confidence if category else None,
        lat=location.lat,
        lon=location.lon,
        location_method=location.method,
        location_confidence=location.confidence or None,
        area=area,
        directorate=_by_code(Directorate, decision.directorate),
        status=Status.NEW.value,
        triage_reason=None if decision.directorate else decision.reason,
        citizen_phone=phone,
        citizen_name=name,
        created_at=now,
        updated_at=now,
        due_at=sla.due_at(now, category.sla_hours) if category else None,
    )
    db.session.add(ticket)
    ticket.events.append(
        _event(
            now,
            "created",
            actor_label="citizen",
            to_status=Status.NEW.value,
            details=_parse_details(classification, location),
        )
    )
    ticket.events.append(
        _event(
            now,
            "routed" if decision.directorate else "triage",
            details={"reason": decision.reason, "directorate": decision.directorate},
        )
    )
    return ticket


def _parse_details(classification: Classification, location: Location) -> dict:
    return {
        "category": classification.code,
        "category_confidence": classification.confidence,
        "place": location.place_code,
        "location_method": location.method,
        "location_confidence": location.confidence,
        "matched_place_text": location.matched_text,
        "outside_area": location.outside_area,
    }


def _event(when: datetime, kind: str, actor_label: str = "system", **fields) -> TicketEvent:
    return TicketEvent(created_at=when, actor_label=actor_label, kind=kind, **fields)


def _by_code(model, code: str | None):
    if code is None:
        return None
    return db.session.scalar(sa.select(model).where(model.code == code))


def _unused_reference() -> str:
    """A reference no ticket has; the unique constraint still guards the race."""
    while True:
        reference = new_reference()
        taken = db.session.scalar(sa.select(Ticket.id).where(Ticket.reference == reference))
        if taken is None:
            return reference


def _received_text(ticket: Ticket, language: str) -> str:
    if ticket.directorate is None:
        return reply_text("received_triage", language, ref=ticket.reference)
    return reply_text(
        "received_routed",
        language,
        ref=ticket.reference,
        directorate=ticket.directorate.name(language),
    )
