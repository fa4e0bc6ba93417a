"""Loading Basra's reference data (feedback/data/) and generating realistic demo tickets."""

import io
import random
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from PIL import Image, ImageDraw

from feedback.domain.attachments import Review
from feedback.domain.channels import Channel
from feedback.domain.events import CITIZEN, EventKind
from feedback.domain.inbound import InboundMessage
from feedback.domain.lifecycle import Status, check_transition
from feedback.domain.roles import Role
from feedback.extensions import db
from feedback.models import (
    Area,
    Category,
    Directorate,
    Message,
    RoutingRule,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from feedback.models.responses import ResponseTemplate
from feedback.reference_data import read_places, read_yaml
from feedback.services.attachments import add_photos
from feedback.services.events import record_event
from feedback.services.intake import receive_message, route_expired_conversations
from feedback.services.parser_cache import reference_data_changed
from feedback.services.photo_review import photos_waiting, review_photo
from feedback.services.photos import clean_photo
from feedback.services.ticket_status import change_status


def is_seeded() -> bool:
    return db.session.execute(sa.select(sa.func.count(Directorate.id))).scalar_one() > 0


def load_reference_data(demo_users: bool = True) -> None:
    """Directorates, categories, places, routing rules, a starting set of response templates
    and (unless told not to) the demo users, whose passwords are public; one transaction."""
    directorates = {}
    for item in read_yaml("directorates.yaml"):
        directorates[item["code"]] = Directorate(
            code=item["code"],
            name_ar=item["name_ar"],
            name_en=item["name_en"],
            description_en=item.get("description_en", ""),
        )
    categories = {}
    for item in read_yaml("categories.yaml"):
        categories[item["code"]] = Category(
            code=item["code"],
            name_ar=item["name_ar"],
            name_en=item["name_en"],
            group=item["group"],
            description_en=item.get("description_en", ""),
            sla_hours=item["sla_hours"],
            keywords=item["keywords"],
        )
    areas = _load_areas()
    db.session.add_all([*directorates.values(), *categories.values(), *areas.values()])
    for item in read_yaml("routing_rules.yaml"):
        db.session.add(
            RoutingRule(
                category=categories[item["category"]],
                area=areas[item["area"]] if item.get("area") else None,
                directorate=directorates[item["directorate"]],
            )
        )
    for item in read_yaml("response_templates.yaml"):
        db.session.add(
            ResponseTemplate(
                directorate=directorates[item["directorate"]],
                title=item["title"],
                body_ar=item["body_ar"],
                body_en=item["body_en"],
            )
        )
    for item in read_yaml("demo_users.yaml") if demo_users else []:
        user = User(
            username=item["username"],
            name=item["name"],
            role=item["role"],
            directorate=directorates[item["directorate"]] if item.get("directorate") else None,
            organisation=item.get("organisation"),
        )
        user.set_password(item["password"])
        db.session.add(user)
    reference_data_changed()
    db.session.commit()


def _load_areas() -> dict[str, Area]:
    records = read_places()
    areas = {
        r.code: Area(
            code=r.code,
            name_ar=r.name_ar,
            name_en=r.name_en,
            kind=r.kind,
            lat=r.lat,
            lon=r.lon,
            point_confidence=r.point_confidence,
            point_source=r.point_source,
            polygon=r.polygon,
            alt_names=list(r.alt_names),
        )
        for r in records
    }
    for record in records:
        areas[record.code].parent = areas.get(record.parent) if record.parent else None
    return areas


def generate_demo_tickets(count: int, days: int = 90, seed: int = 2026) -> int:
    """`count` tickets over the last `days` days, each parsed from a realistic message through
    the real intake, then taken part-way through its life by officers, with timestamps."""
    rng = random.Random(seed)
    templates = read_yaml("demo_complaints.yaml")
    answers = templates.pop("_answers")
    no_place = templates.pop("_no_place")
    places = list(
        db.session.scalars(
            sa.select(Area).where(Area.kind.in_(["neighbourhood", "town", "subdistrict"]))
        )
    )
    now = utcnow()
    for number in range(count):
        language = "ar" if rng.random() < 0.8 else "en"
        if rng.random() < 0.06:
            text = rng.choice(no_place[language])
        else:
            category = rng.choice(list(templates))
            place = rng.choice(places)
            name = place.name_ar if language == "ar" else place.name_en
            text = rng.choice(templates[category][language]).format(place=name)
        message = InboundMessage(
            channel=Channel.SMS if rng.random() < 0.7 else Channel.WHATSAPP,
            message_id=f"DEMO{seed}-{number:06d}",
            sender=f"+96478{rng.randrange(10_000_000, 99_999_999)}",
            recipient="4455",
            text=text,
        )
        reply = receive_message(message, max_length=1600)
        received = now - timedelta(days=days * rng.random() ** 1.3, minutes=rng.randrange(60))
        assert reply.reference is not None  # each demo message opens a ticket
        _backdate_and_progress(reply.reference, received, answers, rng)
    db.session.commit()
    route_expired_conversations(now)  # as the cron job would have, over those 90 days
    _demo_photos(rng)
    return count


# Demo photos: drawn, not taken (no real street, face or plate), so that the photo review and
# a public page with an approved photo can be seen in a demo.
DEMO_PHOTO_CATEGORIES = ("road-damage", "waste-collection", "sewage-overflow", "water-leak")
DEMO_PHOTOS = 4  # of which the first half approved by the demo admin


def _demo_photos(rng: random.Random) -> None:
    tickets = db.session.scalars(
        sa.select(Ticket)
        .join(Ticket.category)
        .where(Category.code.in_(DEMO_PHOTO_CATEGORIES), Ticket.area_id.is_not(None))
        .order_by(Ticket.id)
    ).all()
    chosen = rng.sample(list(tickets), min(DEMO_PHOTOS, len(tickets)))
    for ticket in chosen:
        add_photos(ticket, [clean_photo(_drawn_photo(rng))])
    db.session.commit()
    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN).order_by(User.id))
    if admin is None:
        return
    waiting = [photo.id for photo in photos_waiting()]
    for attachment_id in waiting[: len(waiting) // 2]:
        review_photo(admin, attachment_id, Review.APPROVED, "")


def _drawn_photo(rng: random.Random) -> bytes:
    """A street-coloured picture with a dark hole or heap in it."""
    image = Image.new("RGB", (960, 720), (rng.randrange(110, 150), 110, 95))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randrange(3, 7)):
        x, y = rng.randrange(80, 800), rng.randrange(200, 600)
        shade = rng.randrange(25, 70)
        draw.ellipse(
            (x, y, x + rng.randrange(60, 220), y + rng.randrange(40, 120)), fill=(shade,) * 3
        )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _backdate_and_progress(
    reference: str, received: datetime, answers: dict[str, Any], rng: random.Random
) -> None:
    ticket = db.session.execute(sa.select(Ticket).where(Ticket.reference == reference)).scalar_one()
    shift = received - ticket.created_at
    rows: tuple[Ticket | TicketEvent, ...] = (ticket, *ticket.events)
    for row in rows:
        row.created_at += shift
    ticket.updated_at = received
    for deadline in ("due_at", "awaiting_until"):
        if getattr(ticket, deadline) is not None:
            setattr(ticket, deadline, getattr(ticket, deadline) + shift)
    db.session.execute(
        sa.update(Message).where(Message.ticket_id == ticket.id).values(created_at=received)
    )
    if ticket.directorate is None:
        return
    age_hours = (utcnow() - received).total_seconds() / 3600
    clock = received
    language = ticket.language
    steps = _demo_path(rng)
    for number, target in enumerate(steps):
        clock += timedelta(hours=rng.uniform(1, 60 if target != Status.RESOLVED else 200))
        if (clock - received).total_seconds() / 3600 > age_hours:
            break
        message = None
        if target in (Status.ACKNOWLEDGED, Status.RESOLVED, Status.REJECTED):
            message = rng.choice(answers[target.value][language])
        check_transition(ticket.status, target.value)
        if target == Status.REOPENED:  # the citizen, asked, said it is not fixed
            record_event(ticket, EventKind.NOT_FIXED, at=clock, actor_label=CITIZEN)
        actor = CITIZEN if target == Status.REOPENED else Role.OFFICER
        change_status(ticket, target, None, message, actor_label=actor, notify=False, at=clock)
        if target == Status.RESOLVED:
            reopens = steps[number + 1 : number + 2] == [Status.REOPENED]
            _ask_if_fixed(ticket, clock, received + timedelta(hours=age_hours), rng, reopens)


def _ask_if_fixed(
    ticket: Ticket, asked: datetime, now: datetime, rng: random.Random, reopens: bool
) -> None:
    """The resolved notice's question: most demo citizens answer within two days that it is
    fixed, the others say nothing; one whose ticket `reopens` next says it is not."""
    record_event(ticket, EventKind.FIX_ASKED, at=asked)
    if reopens:
        return
    answered = asked + timedelta(hours=rng.uniform(1, 48))
    if rng.random() > 0.65 or answered > now:
        ticket.fix_asked_at = asked
        return
    record_event(ticket, EventKind.CONFIRMED_FIXED, at=answered, actor_label=CITIZEN)


def _demo_path(rng: random.Random) -> list[Status]:
    roll = rng.random()
    if roll < 0.15:
        return []
    if roll < 0.25:
        return [Status.ACKNOWLEDGED]
    if roll < 0.40:
        return [Status.ACKNOWLEDGED, Status.IN_PROGRESS]
    if roll < 0.48:
        return [Status.REJECTED]
    if roll < 0.55:
        return [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.REOPENED]
    return [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED]
