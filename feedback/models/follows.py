"""Citizens following an area by SMS (FOLLOW <area>): who follows which area, and each piece
of news sent to a follower, which the daily cap is counted from."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import Model
from feedback.models import Area, Outbox, UTCDateTime, utcnow
from feedback.models.incidents import Incident


class AreaFollow(Model):
    """A number following an area, kept as the address it texted from (as Ticket.citizen_phone
    is), since its news goes back there, in the language of its FOLLOW."""

    __table_args__ = (sa.UniqueConstraint("number", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(64), index=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("area.id"), index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()


class FollowNotice(Model):
    """One piece of news of an incident queued to a follower; `number` bare (E.164), so its
    SMS and WhatsApp addresses share one daily cap."""

    __table_args__ = (sa.Index("ix_follow_notice_number_created_at", "number", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(64))
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incident.id"), index=True)
    outbox_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    incident: Mapped[Incident] = relationship()
    outbox: Mapped[Outbox] = relationship()
