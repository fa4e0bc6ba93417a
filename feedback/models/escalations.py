"""Escalations: a ticket sent up to its directorate's managers or to the governor's office
(feedback.domain.escalation). One row per ticket, rung and reason: the unique key is what
keeps concurrent `sla-check` runs from sending one twice."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import Model
from feedback.models import Directorate, Ticket, UTCDateTime, utcnow


class Escalation(Model):
    __table_args__ = (
        sa.UniqueConstraint("ticket_id", "level", "reason"),
        # A directorate's escalations, or all of them, newest first (the escalations page).
        sa.Index("ix_escalation_directorate_id_created_at", "directorate_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket.id"), index=True)
    level: Mapped[str] = mapped_column(sa.String(20))  # EscalationLevel
    reason: Mapped[str] = mapped_column(sa.String(20))  # EscalationReason
    # The directorate that had the ticket when it went up: whose lateness it counts against.
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    ticket: Mapped[Ticket] = relationship()
    directorate: Mapped[Directorate | None] = relationship()


class EscalationDigest(Model):
    """Up to when a manager or the governor's office has been sent the escalations: a digest
    run twice tells nothing twice, and a day cron missed is told at the next run."""

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    sent_until: Mapped[datetime] = mapped_column(UTCDateTime)
