"""Incidents (issue 14): many tickets about one fault, grouped from citizens' reports or
declared by a directorate as an outage notice. Each ticket keeps its own reference and is in
at most one incident (Ticket.incident_id); the incident's timeline is public."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from feedback.domain.text import mask_phone_numbers
from feedback.extensions import Model
from feedback.models import Area, Category, Directorate, User, UTCDateTime, utcnow

incident_area = sa.Table(
    "incident_area",
    Model.metadata,
    sa.Column("incident_id", sa.ForeignKey("incident.id"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("area.id"), primary_key=True),
)


class Incident(Model):
    __table_args__ = (
        # The open incidents of a category a new report may join.
        sa.Index("ix_incident_category_status_last_report_at", "category_id", "status",
                 "last_report_at"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))  # feedback.domain.incidents.IncidentStatus
    origin: Mapped[str] = mapped_column(sa.String(20))  # feedback.domain.incidents.Origin
    # Where the reports that formed it were, on average; None when none had a point.
    centre_lat: Mapped[float | None]
    centre_lon: Mapped[float | None]
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_report_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A declared outage: when the directorate expects it to end, and who declared it.
    expected_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # Citizens who said "me too" without a ticket of their own.
    supporters: Mapped[int] = mapped_column(default=0, server_default="0")

    category: Mapped[Category] = relationship()
    directorate: Mapped[Directorate | None] = relationship()
    declared_by: Mapped[User | None] = relationship()
    areas: Mapped[list[Area]] = relationship(secondary=incident_area, order_by="Area.id")
    events: Mapped[list[IncidentEvent]] = relationship(
        back_populates="incident", order_by="IncidentEvent.id", cascade="all, delete-orphan"
    )


class IncidentEvent(Model):
    """One step of an incident: formed, declared, acknowledged, an update, resolved..., with
    its public message in Arabic and English (either may be empty)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incident.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(30))  # domain.incidents.IncidentEventKind
    public_message_ar: Mapped[str | None] = mapped_column(sa.Text)
    public_message_en: Mapped[str | None] = mapped_column(sa.Text)
    internal_note: Mapped[str | None] = mapped_column(sa.Text)
    details: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))

    incident: Mapped[Incident] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @validates("public_message_ar", "public_message_en")
    def _mask(self, _key: str, message: str | None) -> str | None:
        """Stored masked, as a ticket's public messages are."""
        return mask_phone_numbers(message) if message else message

    def public_message(self, language: str) -> str | None:
        return in_language(self.public_message_ar, self.public_message_en, language)


def in_language(arabic: str | None, english: str | None, language: str) -> str | None:
    """A message written in both languages, in `language`, else the other one."""
    first, second = (arabic, english) if language == "ar" else (english, arabic)
    return first or second


class IncidentSupport(Model):
    """One "me too" (feedback.domain.support): counted in Incident.supporters, kept so that
    the same phone or address is counted once per incident."""

    __table_args__ = (sa.UniqueConstraint("incident_id", "supporter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incident.id"))
    channel: Mapped[str] = mapped_column(sa.String(10))  # feedback.domain.support.SupportChannel
    supporter_key: Mapped[str] = mapped_column(sa.String(64))  # a keyed hash, never the number
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
