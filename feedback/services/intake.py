"""Intake: a citizen's message or web report becomes a routed ticket with a reference.

Each public function is one transaction; nothing half-done is ever committed."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from feedback.domain import sla
from feedback.domain.channels import Channel
from feedback.domain.classify import Classification
from feedback.domain.commands import NUMBER_COMMANDS, parse_command
from feedback.domain.confirmation import FixAnswer, fix_answer, fix_question_wins
from feedback.domain.conversation import (
    ANSWER_WINDOW,
    Question,
    choices_for,
    chosen,
    is_new_complaint,
    knows_category,
    knows_place,
    question_for,
)
from feedback.domain.events import CITIZEN, EventKind
from feedback.domain.inbound import InboundMessage
from feedback.domain.incidents import Origin
from feedback.domain.lifecycle import Status
from feedback.domain.limits import MessageHandling, SmsKind
from feedback.domain.locate import PHOTO_EXIF, STAFF_PICKED, Location
from feedback.domain.phone import bare_number
from feedback.domain.reference import new_reference
from feedback.domain.replies import choice_name, clock_text, reply_text, reply_with_message
from feedback.domain.routing import route
from feedback.domain.text import detect_language, normalise_arabic
from feedback.domain.understand import understand
from feedback.extensions import db
from feedback.models import Message, Ticket, TicketEvent, User, utcnow
from feedback.models.writes import insert_opened_ticket
from feedback.services.attachments import add_photos, forget_stored, queue_media
from feedback.services.commands import answer_command
from feedback.services.confirmation import answer_fix_question, awaiting_fix_answer
from feedback.services.events import record_event
from feedback.services.flood import (
    add_follow_up,
    answered_over_limit_since,
    latest_open_ticket,
    received_since,
)
from feedback.services.incidents import Membership, group_ticket
from feedback.services.notify import queue_sms, queue_to
from feedback.services.parser_cache import Knowledge, load_knowledge, version_query
from feedback.services.phones import blocking, lock_sender
from feedback.services.photos import MAX_CITIZEN_PHOTO_BYTES, BadPhoto, CleanPhoto, clean_photo
from feedback.services.settings import settings

NO_ANSWER = "no answer to the question in time"
HELP_WORDS = {"help", "مساعده", "?"}  # as normalise_arabic leaves مساعدة, HELP, ؟


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
    channel: Channel = Channel.WEB  # API for Open311 clients
    photos: tuple[bytes, ...] = ()  # as uploaded, each at most MAX_CITIZEN_PHOTO_BYTES + 1


@dataclass(frozen=True)
class StaffReport:
    """What staff type for a citizen who came in or called (feedback.domain.channels)."""

    description: str
    channel: Channel  # one of STAFF_CHANNELS
    recorded_by: User
    phone: str | None = None  # E.164, already validated
    name: str | None = None
    area_code: str | None = None  # picked by staff; else the place is read from the text


def receive_message(
    message: InboundMessage, max_length: int, reply_by_outbox: bool = False
) -> IntakeReply:
    """Handle one inbound SMS/WhatsApp message exactly once per (channel, message id).

    Twilio carries the reply in its webhook's answer; channels that cannot (Kannel, the Android
    gateway) get it queued in the Outbox here, in the same transaction as the ticket."""
    try:
        reply = _handle(message, max_length, reply_by_outbox)
        db.session.commit()
    except IntegrityError:
        # The unique (channel, direction, external_id) decides, at the one flush: a message
        # seen before (a channel's retry, perhaps racing the first) is handled again but never
        # stored twice, and gets the first one's answer. New messages, nearly all, so save
        # a lookup before they are handled.
        db.session.rollback()
        earlier = _earlier_reply(message)
        if earlier is None:
            raise
        return earlier
    return reply


def _handle(message: InboundMessage, max_length: int, reply_by_outbox: bool) -> IntakeReply:
    """The message row joins the session last, with its ticket and reply: the usual message
    is then written in one flush, at commit."""
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
    lock_sender(message.sender)  # this sender's messages are counted one at a time
    known = _read_known(message, utcnow() - settings().flood.window)
    reply = _answer_within_limits(message, language, max_length, record, known)
    record.reply_body = reply.text
    _store(record)
    if record.ticket is not None and message.media:
        queue_media(record.ticket, message.media, utcnow())
    if reply_by_outbox and reply.text:
        queue_to(message.sender, reply.text, reply.language, record.ticket, SmsKind.REPLY)
    return reply


def _store(record: Message) -> None:
    """The message, and the ticket it opened if it did, into the transaction: a new ticket
    with its message by plain INSERTs (nearly every message: the webhook's write), the rest
    through the session."""
    ticket = record.ticket
    if ticket is not None and sa.inspect(ticket).transient and sa.inspect(record).transient:
        insert_opened_ticket(db.session, ticket, record)
    else:
        db.session.add(record)


@dataclass(frozen=True)
class _Known:
    """What handling a message needs to know from the database, read in one statement under
    the sender's lock: of the sender, the reference data's version, a free reference."""

    blocked: bool
    received: int  # the sender's stored messages on this channel since `since`
    since: datetime  # the start of the flood window
    pending_id: int | None  # the sender's ticket waiting for an answer
    version: int
    free_reference: str | None  # for a new ticket; None: the one tried is taken


# Built once, with bound parameters: built per message, this statement cost more Python than
# the database spends answering it.
_KNOWN = sa.select(
    sa.exists().where(blocking(sa.bindparam("number"))),
    received_since(
        sa.bindparam("channel"), sa.bindparam("sender"), sa.bindparam("since")
    ).scalar_subquery(),
    sa.select(Ticket.id)
    .where(Ticket.citizen_phone == sa.bindparam("sender"), Ticket.awaiting.is_not(None))
    .order_by(Ticket.id.desc())
    .limit(1)
    .scalar_subquery(),
    version_query().scalar_subquery(),
    sa.exists().where(Ticket.reference == sa.bindparam("reference")),
)


def _read_known(message: InboundMessage, since: datetime) -> _Known:
    reference = new_reference()
    values = {
        "number": bare_number(message.sender),
        "channel": message.channel,
        "sender": message.sender,
        "since": since,
        "reference": reference,
    }
    blocked, received, pending_id, version, taken = db.session.execute(_KNOWN, values).one()
    free_reference = None if taken else reference
    return _Known(blocked, received, since, pending_id, version or 0, free_reference)


def _answer_within_limits(
    message: InboundMessage, language: str, max_length: int, record: Message, known: _Known
) -> IntakeReply:
    """A blocked number's message is only kept. Past the sender's flood limit a message joins
    their latest open ticket as a follow-up, and only the first of those in a window is
    answered (an empty text: no answer)."""
    if known.blocked:
        record.handling = MessageHandling.BLOCKED
        return IntakeReply("", language)
    if not settings().flood.is_exceeded(known.received + 1):  # + this one, stored with its answer
        return _answer(message, language, max_length, record, known)
    record.handling = MessageHandling.OVER_LIMIT
    db.session.add(record)
    db.session.flush()  # a follow-up names its message's row
    command = parse_command(message.text)
    ticket = latest_open_ticket(message.sender)
    if ticket is None or (command and command.command in NUMBER_COMMANDS):
        # STOP and START are honoured whatever the flood; with no ticket to join, a message
        # is handled as usual, so no complaint is lost.
        reply = _answer(message, language, max_length, record, known)
    else:
        add_follow_up(ticket, record, utcnow())
        text = reply_text("flood", language, ref=ticket.reference)
        reply = IntakeReply(text, language, ticket.reference)
    if answered_over_limit_since(message, known.since):
        return IntakeReply("", reply.language, reply.reference)
    return reply


def _answer(
    message: InboundMessage, language: str, max_length: int, record: Message, known: _Known
) -> IntakeReply:
    text = message.text.strip()
    if len(message.text) > max_length:
        body = reply_text("too_long", language, length=len(message.text), limit=max_length)
        return IntakeReply(body, language)
    has_pin = message.lat is not None and message.lon is not None
    # A photo or a voice note alone opens a ticket, and the reply asks what and where.
    if normalise_arabic(text) in HELP_WORDS or not (text or has_pin or message.media):
        return IntakeReply(reply_text("help", language), language)
    command = parse_command(text)
    if command is not None:
        body, ticket = answer_command(command, message.sender, command.language)
        record.ticket = ticket
        return IntakeReply(body, command.language, ticket.reference if ticket else None)
    now = utcnow()
    answer = None if has_pin else fix_answer(text)
    if answer is not None and (
        fix_reply := _answer_if_fixed(answer, message, language, record, known, now)
    ):
        return fix_reply
    knowledge = load_knowledge(known.version)
    classification, location = _understand(knowledge, message.lat, message.lon, text, "gps")
    pending = _pending_ticket(knowledge, known.pending_id, now)
    pending_category = knowledge.category_code(pending.category_id) if pending else None
    if pending is None and classification.no_complaint:
        return IntakeReply(reply_text("thanks", language), language)
    choices = None
    if pending and not is_new_complaint(classification, location, pending_category):
        ticket = _complete(knowledge, pending, message, location, now)
        if not any(character.isalpha() for character in text):
            language = ticket.language  # "2" is no language: answer in the complaint's
    else:
        if pending:
            _route(knowledge, pending, now, "the citizen sent a new complaint instead of an answer")
            group_ticket(knowledge, pending, now)
        ticket = _open_ticket(
            knowledge,
            channel=message.channel,
            text=message.text,
            language=language,
            classification=classification,
            location=location,
            phone=message.sender,
            name=message.sender_name,
            now=now,
            reference=known.free_reference,
        )
        question = question_for(classification, location)
        if question is None:
            _route(knowledge, ticket, now)
        else:
            choices = choices_for(classification) if question is Question.CHOICE else None
            _ask(ticket, question, now, choices)
    membership = group_ticket(knowledge, ticket, now) if ticket.awaiting is None else None
    record.ticket = ticket
    reply = _reply_for(knowledge, ticket, language, choices, membership)
    return IntakeReply(reply, language, ticket.reference)


def _answer_if_fixed(
    answer: FixAnswer,
    message: InboundMessage,
    language: str,
    record: Message,
    known: _Known,
    now: datetime,
) -> IntakeReply | None:
    """A bare 1 or 2 (yes, no) answers the question asked last: "is it fixed?" about the
    sender's latest resolved ticket, or the question about the complaint they are filing (then
    None: intake goes on as usual). With neither outstanding, it changes nothing and is told
    what it can send."""
    ticket = awaiting_fix_answer(message.sender)
    pending = db.session.get(Ticket, known.pending_id) if known.pending_id is not None else None
    conversation = None
    if pending is not None and pending.awaiting_until is not None and pending.awaiting_until > now:
        conversation = pending.awaiting_until - ANSWER_WINDOW
    if ticket is None:
        if conversation is not None:
            return None
        return IntakeReply(reply_text("no_fix_question", language), language)
    if not fix_question_wins(ticket.fix_asked_at, conversation):
        return None
    if not any(character.isalpha() for character in message.text):
        language = ticket.language  # "1" is no language: answer in the complaint's
    record.ticket = ticket
    return IntakeReply(answer_fix_question(ticket, answer, language), language, ticket.reference)


def _understand(
    knowledge: Knowledge, lat: float | None, lon: float | None, text: str, pin_method: str
) -> tuple[Classification, Location]:
    """What and where: the place from a pin when the citizen sent one, else from the text."""
    if lat is not None and lon is not None:
        location = knowledge.gazetteer.locate_point(lat, lon, pin_method)
        return knowledge.classifier.classify(text), location
    return understand(text, knowledge.classifier, knowledge.gazetteer)


def _pending_ticket(knowledge: Knowledge, pending_id: int | None, now: datetime) -> Ticket | None:
    """The number's ticket still waiting for an answer; one whose window has closed is
    routed with what it has, first."""
    ticket = db.session.get(Ticket, pending_id) if pending_id is not None else None
    if ticket is not None and (ticket.awaiting_until is None or ticket.awaiting_until <= now):
        _route(knowledge, ticket, now, NO_ANSWER)
        group_ticket(knowledge, ticket, now)
        return None
    return ticket


def _complete(
    knowledge: Knowledge, ticket: Ticket, message: InboundMessage, location: Location, now: datetime
) -> Ticket:
    """The citizen's answer completes the pending ticket: both texts are kept, parsed together;
    the answer to a choice decides between its two categories."""
    text = ticket.original_text + "\n" + message.text
    classification = _answered_category(knowledge, ticket, message.text, location)
    if classification is None:
        classification = knowledge.classifier.classify(text, place_words=location.matched_text)
    category = knowledge.category_code(ticket.category_id)
    if not knows_category(classification) and category is not None:
        classification = Classification(category, ticket.category_confidence or 0, {})
    if not knows_place(location):
        location = _location_of(knowledge, ticket)
    ticket.original_text = text
    _apply_parse(knowledge, ticket, classification, location, now)
    record_event(
        ticket,
        EventKind.ANSWERED,
        at=now,
        actor_label=CITIZEN,
        details={"question": ticket.awaiting, **_parse_details(classification, location)},
    )
    _route(knowledge, ticket, now)
    return ticket


def _answered_category(
    knowledge: Knowledge, ticket: Ticket, answer: str, location: Location
) -> Classification | None:
    """The category the citizen picked when asked to choose: by number, or by naming one of
    the two in words; None when the answer picks neither."""
    if ticket.awaiting != Question.CHOICE:
        return None
    choices = tuple(_asked(ticket).get("choices", ()))
    picked = chosen(answer, choices)
    if picked is None:
        in_words = knowledge.classifier.classify(answer, place_words=location.matched_text)
        picked = in_words.code if in_words.code in choices else None
    return Classification(picked, 1.0, {picked: 1.0}) if picked else None


def _asked(ticket: Ticket) -> dict[str, Any]:
    """The details of the question the ticket is waiting on."""
    details = db.session.scalar(
        sa.select(TicketEvent.details)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.ASKED)
        .order_by(TicketEvent.id.desc())
        .limit(1)
    )
    return details or {}


def _location_of(knowledge: Knowledge, ticket: Ticket) -> Location:
    place = knowledge.area_code(ticket.area_id)
    confidence = ticket.location_confidence or 0.0
    return Location(place, ticket.lat, ticket.lon, ticket.location_method, confidence)


def _ask(
    ticket: Ticket, question: Question, now: datetime, choices: tuple[str, str] | None = None
) -> None:
    ticket.awaiting = question.value
    ticket.awaiting_until = now + ANSWER_WINDOW
    ticket.triage_reason = "waiting for the citizen's answer"
    details: dict[str, Any] = {"question": question.value}
    if question is Question.CHOICE and choices:
        details["choices"] = list(choices)
    record_event(ticket, EventKind.ASKED, at=now, details=details)


def _route(knowledge: Knowledge, ticket: Ticket, now: datetime, note: str | None = None) -> None:
    """Send the ticket to the directorate the rules name, or to triage, saying why."""
    lineage = knowledge.lineage(knowledge.area_code(ticket.area_id))
    category = knowledge.category_code(ticket.category_id)
    decision = route(category, lineage, knowledge.rules)
    if ticket.awaiting_until is not None:  # the SLA clock stood still while we waited
        asked_at = ticket.awaiting_until - ANSWER_WINDOW
        ticket.due_at = sla.paused(ticket.due_at, asked_at, min(now, ticket.awaiting_until))
    ticket.awaiting = None
    ticket.awaiting_until = None
    directorate = knowledge.directorates.get(decision.directorate or "")
    ticket.directorate_id = directorate.id if directorate else None
    ticket.triage_reason = None if decision.directorate else decision.reason
    ticket.updated_at = now
    details = {"reason": decision.reason, "directorate": decision.directorate}
    if note:
        details["note"] = note
    kind = EventKind.ROUTED if decision.directorate else EventKind.TRIAGE
    record_event(ticket, kind, at=now, details=details)


def route_expired_conversations(now: datetime | None = None) -> int:
    """Route every ticket whose question went unanswered in time (cron: conversations-expire)."""
    now = now or utcnow()
    expired = db.session.scalars(
        sa.select(Ticket).where(Ticket.awaiting.is_not(None), Ticket.awaiting_until <= now)
    ).all()
    if expired:
        knowledge = load_knowledge()
        for ticket in expired:
            _route(knowledge, ticket, now, NO_ANSWER)
            group_ticket(knowledge, ticket, now)
    db.session.commit()
    return len(expired)


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
    """A ticket from the web form: the citizen chose the category, and maybe dropped a pin
    and added photos. Every photo is checked before anything is written (BadPhoto, its
    `index` set, otherwise); without a pin, the first photo whose EXIF places it inside the
    governorate places the ticket (`photo_exif`)."""
    photos = []
    for index, upload in enumerate(report.photos):
        try:
            photos.append(clean_photo(upload, max_bytes=MAX_CITIZEN_PHOTO_BYTES))
        except BadPhoto as error:
            error.index = index
            raise
    knowledge = load_knowledge()
    now = utcnow()
    _, location = _understand(knowledge, report.lat, report.lon, report.description, "map_pin")
    if report.lat is None:
        location = _photo_location(knowledge, photos) or location
    ticket = _open_ticket(
        knowledge,
        channel=report.channel,
        text=report.description,
        language=report.language,
        classification=Classification(report.category_code, 1.0, {report.category_code: 1.0}),
        location=location,
        phone=report.phone,
        name=None,
        now=now,
    )
    keys = add_photos(ticket, photos)
    try:
        return _file_report(knowledge, ticket, now)
    except BaseException:
        db.session.rollback()
        forget_stored(keys)
        raise


def _photo_location(knowledge: Knowledge, photos: list[CleanPhoto]) -> Location | None:
    for photo in photos:
        if photo.gps is not None:
            found = knowledge.gazetteer.locate_point(*photo.gps, PHOTO_EXIF)
            if not found.outside_area:
                return found
    return None


def record_staff_report(report: StaffReport) -> Ticket:
    """A complaint told to staff in person or by phone: understood from its text like an SMS
    (the place from the area staff picked, when they picked one), routed and grouped like a
    web report, its reference texted to the citizen's number if they gave one. Its CREATED
    event names the staff account that recorded it (staff see it; the public never does).

    A number typed by staff is treated like one typed into /report: until it texts us itself
    it gets the unconfirmed daily allowance, and a block or STOP holds. There is no per-address
    throttle as on /report, since staff are signed in and named on the event."""
    knowledge = load_knowledge()
    now = utcnow()
    classification, location = understand(
        report.description, knowledge.classifier, knowledge.gazetteer
    )
    if report.area_code in knowledge.area_ids:
        location = Location(report.area_code, None, None, STAFF_PICKED, 1.0)
    ticket = _open_ticket(
        knowledge,
        channel=report.channel,
        text=report.description,
        language=detect_language(report.description),
        classification=classification,
        location=location,
        phone=report.phone,
        name=report.name,
        now=now,
        recorded_by=report.recorded_by,
    )
    return _file_report(knowledge, ticket, now)


def _file_report(knowledge: Knowledge, ticket: Ticket, now: datetime) -> Ticket:
    """A new ticket that asks no question (the form or staff asked already): routed, grouped,
    and its reference queued to the number given, in one transaction."""
    _route(knowledge, ticket, now)
    membership = group_ticket(knowledge, ticket, now)
    db.session.add(ticket)
    receipt = _received_text(knowledge, ticket, ticket.language, membership)
    queue_sms(ticket, receipt, SmsKind.RECEIPT)
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
    now: datetime,
    reference: str | None = None,
    recorded_by: User | None = None,
) -> Ticket:
    """A new ticket, under `reference` when the caller found that one free; not yet in the
    session, which the caller joins it to. Received from the citizen, or recorded for them by
    the staff account `recorded_by`."""
    ticket = Ticket(
        reference=reference or _unused_reference(),
        channel=channel,
        original_text=text,
        language=language,
        status=Status.NEW.value,
        citizen_phone=phone,
        citizen_name=name,
        created_at=now,
    )
    _apply_parse(knowledge, ticket, classification, location, now)
    record_event(
        ticket,
        EventKind.CREATED,
        at=now,
        actor=recorded_by,
        actor_label=recorded_by.role if recorded_by else CITIZEN,
        to_status=Status.NEW,
        details=_parse_details(classification, location),
    )
    return ticket


def _apply_parse(
    knowledge: Knowledge,
    ticket: Ticket,
    classification: Classification,
    location: Location,
    now: datetime,
) -> None:
    """What the parser understood, onto the ticket; the SLA clock runs from receipt. Rows are
    named by id from the knowledge in memory, so nothing is read from the database."""
    category = knowledge.categories.get(classification.code or "")
    ticket.category_id = category.id if category else None
    ticket.category_confidence = classification.confidence if category else None
    ticket.lat, ticket.lon = location.lat, location.lon
    ticket.location_method = location.method
    ticket.location_confidence = location.confidence or None
    ticket.area_id = knowledge.area_ids.get(location.place_code or "")
    ticket.due_at = sla.due_at(ticket.created_at, category.sla_hours) if category else None
    ticket.updated_at = now


def _parse_details(classification: Classification, location: Location) -> dict[str, Any]:
    return {
        "category": classification.code,
        "category_confidence": classification.confidence,
        "place": location.place_code,
        "location_method": location.method,
        "location_confidence": location.confidence,
        "matched_place_text": location.matched_text,
        "outside_area": location.outside_area,
    }


def _unused_reference() -> str:
    """A reference no ticket has; the unique constraint still guards the race."""
    while True:
        reference = new_reference()
        taken = db.session.scalar(sa.select(Ticket.id).where(Ticket.reference == reference))
        if taken is None:
            return reference


def _reply_for(
    knowledge: Knowledge,
    ticket: Ticket,
    language: str,
    choices: tuple[str, str] | None = None,
    membership: Membership | None = None,
) -> str:
    if ticket.awaiting == Question.CHOICE and choices:
        first, second = (_choice_name(knowledge, code, language) for code in choices)
        return reply_text("ask_choice", language, ref=ticket.reference, first=first, second=second)
    if ticket.awaiting:
        return reply_text(f"ask_{ticket.awaiting}", language, ref=ticket.reference)
    return _received_text(knowledge, ticket, language, membership)


def _choice_name(knowledge: Knowledge, code: str, language: str) -> str:
    row = knowledge.categories.get(code)
    return choice_name(code, language, row.name(language) if row else code)


def _received_text(
    knowledge: Knowledge, ticket: Ticket, language: str, membership: Membership | None = None
) -> str:
    directorate = knowledge.directorate(ticket.directorate_id)
    if directorate is None:
        return reply_text("received_triage", language, ref=ticket.reference)
    if membership is not None:
        message = membership.latest_message(language) or ""
        end, now = membership.expected_end, utcnow()
        # An outage past its expected end is still known, but its end is no promise to repeat.
        if membership.origin is Origin.DECLARED and end is not None and end > now:
            zone = settings().timezone
            return reply_with_message(
                "received_outage",
                language,
                message,
                ref=ticket.reference,
                end=clock_text(end.astimezone(zone), now.astimezone(zone), language),
            )
        return reply_with_message(
            "received_incident",
            language,
            message,
            ref=ticket.reference,
            count=str(membership.reports),
        )
    return reply_text(
        "received_routed",
        language,
        ref=ticket.reference,
        directorate=directorate.name(language),
    )
