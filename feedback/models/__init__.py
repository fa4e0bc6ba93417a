"""ORM models. Behaviour lives in feedback.domain and feedback.services; these are the tables,
and the one rule they keep themselves: public text is stored with phone numbers masked."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from feedback.domain.moderation import public_text_after
from feedback.domain.outbox import SmsState
from feedback.domain.text import mask_phone_numbers
from feedback.extensions import Model


def utcnow() -> datetime:
    return datetime.now(UTC)


# Every id column is an `integer`: a larger number from a URL names no row, and PostgreSQL
# (or SQLite past 64 bits) fails to bind it rather than find nothing.
MAX_ROW_ID = 2**31 - 1


def row_id(text: str) -> int:
    """An id read from a URL, as `request.args.get(name, type=row_id)` wants it: ValueError
    unless it could name a row."""
    number = int(text)
    if not 0 < number <= MAX_ROW_ID:
        raise ValueError(f"no row has the id {number}")
    return number


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on PostgreSQL and SQLite alike (SQLite stores them naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Directorate(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_ar: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    description_en: Mapped[str] = mapped_column(sa.Text, default="")

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_en


class Category(Model):
    """An Open311 service: what went wrong (water supply, road damage, ...)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_ar: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    group: Mapped[str] = mapped_column(sa.String(40))
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    sla_hours: Mapped[int] = mapped_column(sa.Integer)
    # {"ar": [...], "en": [...]}: words citizens use for this problem, dialect included.
    keywords: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_en


class Area(Model):
    """A named place: governorate, district, sub-district, town, neighbourhood or landmark."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name_ar: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("area.id"), index=True)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    # "high" | "medium" | "low": how far the point can be trusted; None when there is no point.
    point_confidence: Mapped[str | None] = mapped_column(sa.String(10))
    point_source: Mapped[str] = mapped_column(sa.Text, default="")
    polygon: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))  # GeoJSON geometry
    alt_names: Mapped[list] = mapped_column(sa.JSON, default=list)

    parent: Mapped[Area | None] = relationship(remote_side=[id])

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_en

    def lineage(self) -> list[Area]:
        """This area then its ancestors, most specific first."""
        chain: list[Area] = []
        area: Area | None = self
        while area is not None:
            chain.append(area)
            area = area.parent
        return chain


class RoutingRule(Model):
    """(category, area or anywhere) -> directorate; the most specific area wins."""

    __table_args__ = (sa.UniqueConstraint("category_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("area.id"))
    directorate_id: Mapped[int] = mapped_column(sa.ForeignKey("directorate.id"))

    category: Mapped[Category] = relationship()
    area: Mapped[Area | None] = relationship()
    directorate: Mapped[Directorate] = relationship()


class ReferenceDataVersion(Model):
    """One row whose number goes up whenever categories, places or routing rules change, so
    every process knows when to rebuild its parsers (feedback.services.parser_cache)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(UserMixin, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))  # feedback.domain.roles.Role
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    # Where a manager's or the governorate's daily escalation digest goes (E.164; an address).
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    active: Mapped[bool] = mapped_column(default=True)
    # May approve citizens' photos and redact public text (feedback.domain.roles.may_moderate).
    moderator: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the id every session carries; raising it ends all of this user's sessions.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Two-factor login (feedback.domain.two_factor): the TOTP secret, set while enrolling and
    # in use once confirmed; the last time step whose code was accepted, never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    two_factor_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    directorate: Mapped[Directorate | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def two_factor_enabled(self) -> bool:
        return self.two_factor_since is not None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: "<id>:<session_version>" (Flask-Login's
        alternative id), so a session from before the version was raised finds nobody."""
        return f"{self.id}:{self.session_version}"


# Indexes only PostgreSQL has (SQLite has no trigram index; its queue search reads the rows).
POSTGRESQL_ONLY_INDEXES = frozenset({"ix_ticket_search_trgm"})


def in_schema_of(dialect_name: str):
    """Alembic's include_object for a database of `dialect_name`: the schema the models
    describe, less the indexes that database does not have."""

    def include(item, name, type_, reflected, compare_to) -> bool:
        return not (
            type_ == "index" and name in POSTGRESQL_ONLY_INDEXES and dialect_name != "postgresql"
        )

    return include


class Ticket(Model):
    __table_args__ = (
        # A queue in deadline order, status by status: an officer's directorate, or all.
        sa.Index("ix_ticket_directorate_status_due_at", "directorate_id", "status", "due_at", "id"),
        sa.Index("ix_ticket_status_due_at", "status", "due_at", "id"),
        # The map's tickets near a box (feedback.services.map_points).
        sa.Index("ix_ticket_lat_lon", "lat", "lon"),
        # The moderation queue's texts moderated lately, and the admin overview's count of them.
        sa.Index("ix_ticket_text_moderated_at", "text_moderated_at", "id"),
        # The queue's search (ILIKE '%words%' on the reference or the text), PostgreSQL only.
        sa.Index(
            "ix_ticket_search_trgm",
            "reference",
            "original_text",
            postgresql_using="gin",
            postgresql_ops={"reference": "gin_trgm_ops", "original_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(8), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(20))  # feedback.domain.channels.Channel
    original_text: Mapped[str] = mapped_column(sa.Text)  # verbatim, never shown publicly as is
    # What every public surface shows: original_text masked, kept in step, unless a moderator
    # changed it (feedback.domain.moderation).
    public_text: Mapped[str] = mapped_column(sa.Text)
    # TextModeration, None: the public text is the original masked. The moderator who last
    # redacted, hid or restored the text, and when (kept after a restore, for the queue).
    text_moderation: Mapped[str | None] = mapped_column(sa.String(10))
    text_moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    text_moderated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    language: Mapped[str] = mapped_column(sa.String(2))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("category.id"), index=True)
    category_confidence: Mapped[float | None]
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    location_method: Mapped[str] = mapped_column(sa.String(20), default="none")
    location_confidence: Mapped[float | None]
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("area.id"), index=True)
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"))
    status: Mapped[str] = mapped_column(sa.String(20))
    # Why the ticket waits in the admin triage queue (no directorate); None once routed.
    triage_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # The question the citizen was last asked (place | category | details) and until when
    # their next message answers it; None when nothing is awaited.
    awaiting: Mapped[str | None] = mapped_column(sa.String(20))
    awaiting_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    citizen_phone: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    citizen_name: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Every change that a page or a rollup shows sets this (feedback.services.rollups).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The incident this ticket is one report of (feedback.models.incidents), and why it was
    # put there, for staff: "same area nbh-ashar", "moved in by hand".
    incident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incident.id"), index=True)
    incident_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # The officer of its directorate a manager gave it to; None: the directorate's shared queue.
    assigned_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # Since when the citizen's answer to "is it fixed?" is awaited (feedback.domain.confirmation);
    # None when no such question is outstanding.
    fix_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The citizen said the fix did not work: first in the officers' queue until resolved again.
    priority: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    category: Mapped[Category | None] = relationship()
    area: Mapped[Area | None] = relationship()
    directorate: Mapped[Directorate | None] = relationship()
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    text_moderated_by: Mapped[User | None] = relationship(foreign_keys=[text_moderated_by_id])
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )

    @validates("original_text")
    def _mask_public_text(self, _key: str, text: str) -> str:
        """Setting the citizen's text sets its public copy, masked: no caller can forget, and
        none undoes a moderator's redaction."""
        self.public_text = public_text_after(
            self.original_text, text, self.public_text, self.text_moderation
        )
        return text


class TicketEvent(Model):
    """One timestamped step in a ticket's life; the public part is shown on /t/<ref>."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(80))  # citizen | system | officer name
    kind: Mapped[str] = mapped_column(sa.String(30))  # created | routed | status | note | ...
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    public_message: Mapped[str | None] = mapped_column(sa.Text)
    internal_note: Mapped[str | None] = mapped_column(sa.Text)
    details: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @validates("public_message")
    def _mask_public_message(self, _key: str, message: str | None) -> str | None:
        """An officer's answer, a transfer reason, a monitor's note: stored masked, so every
        page, export, API and SMS that shows it shows it masked."""
        return mask_phone_numbers(message) if message else message


class Message(Model):
    """Every SMS/WhatsApp message in or out, raw; (channel, direction, external_id) dedupes."""

    __table_args__ = (
        sa.UniqueConstraint("channel", "direction", "external_id"),
        # A sender's recent messages, counted for flood control.
        sa.Index("ix_message_from_number_created_at", "from_number", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(20))
    direction: Mapped[str] = mapped_column(sa.String(3))  # in | out
    external_id: Mapped[str | None] = mapped_column(sa.String(64))
    from_number: Mapped[str] = mapped_column(sa.String(64))
    to_number: Mapped[str] = mapped_column(sa.String(64))
    body: Mapped[str] = mapped_column(sa.Text)
    raw: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ticket.id"), index=True)
    # What we answered, so a retried webhook gets the very same reply ("": no answer).
    reply_body: Mapped[str | None] = mapped_column(sa.Text)
    # Why it was not handled as usual (feedback.domain.limits.MessageHandling); None: it was.
    handling: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket | None] = relationship()


class Outbox(Model):
    """An SMS to send, written in the transaction that caused it; the worker sends it later."""

    __table_args__ = (sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ticket.id"), index=True)
    to_number: Mapped[str] = mapped_column(sa.String(64), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(2))
    channel: Mapped[str] = mapped_column(sa.String(20))
    # pending -> sending (claimed by one worker) -> sent -> delivered | undelivered;
    # pending again after a failure that may pass; failed once retries are spent; dropped
    # when never to be sent (see withheld). feedback.domain.outbox.SmsState.
    status: Mapped[str] = mapped_column(sa.String(20), default=SmsState.PENDING.value)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    external_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it was held back or dropped (feedback.domain.limits.Withheld); None: sent as usual.
    withheld: Mapped[str | None] = mapped_column(sa.String(30), index=True)
    # A held SMS waits for this (the start of the recipient's next day), and counts on that day.
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket: Mapped[Ticket | None] = relationship()


class NumberBlock(Model):
    """An admin's block on a phone number (SMS and WhatsApp alike): its messages are kept and
    marked, make no ticket and get no reply, and nothing is sent to it. The record stays after
    unblocking: who blocked it, when and why, and who lifted it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(64), index=True)  # E.164, no channel prefix
    reason: Mapped[str] = mapped_column(sa.Text)
    blocked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    blocked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    unblocked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    unblocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    blocked_by: Mapped[User] = relationship(foreign_keys=[blocked_by_id])
    unblocked_by: Mapped[User | None] = relationship(foreign_keys=[unblocked_by_id])


class NoticeStop(Model):
    """A number that texted STOP: no notices to it, on SMS or WhatsApp, until it texts START
    (which deletes the row). Its own messages are still answered."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(64), unique=True)  # E.164, no channel prefix
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(Model):
    """A key issued by an admin to a CSO or integration for Open311 POST requests. Only its
    SHA-256 is stored: a leaked database does not leak usable keys."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Verification(Model):
    """A CSO monitor's field check of a resolved ticket: verified, or disputed (which reopens
    it to the same directorate and counts on its scorecard)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket.id"), index=True)
    monitor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    verdict: Mapped[str] = mapped_column(sa.String(10))  # verified | disputed
    note: Mapped[str] = mapped_column(sa.Text)
    photo_path: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    monitor: Mapped[User] = relationship()


class Follow(Model):
    """A monitor following one ticket or one area, for their feed of changes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ticket.id"))
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("area.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket | None] = relationship()
    area: Mapped[Area | None] = relationship()


class RecoveryCode(Model):
    """A one-time code that stands in for the phone at login. Only its SHA-256 is stored;
    used_at is set when it is spent."""

    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The tables of the split-off model modules belong to the metadata whenever models load.
from feedback.models.attachments import Attachment  # noqa: E402, F401
from feedback.models.corrections import Correction  # noqa: E402, F401
from feedback.models.escalations import Escalation, EscalationDigest  # noqa: E402, F401
from feedback.models.follows import AreaFollow, FollowNotice  # noqa: E402, F401
from feedback.models.incidents import Incident, IncidentEvent  # noqa: E402, F401
from feedback.models.responses import ResponseTemplate  # noqa: E402, F401
from feedback.models.rollups import (  # noqa: E402, F401
    MapCell,
    RollupState,
    ScorecardDay,
    ScorecardHistogram,
    ScorecardOverdue,
    ScorecardTicket,
)
