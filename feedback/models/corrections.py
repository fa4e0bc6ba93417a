"""Corrections: what a person changed of the parser's decision on a ticket, kept as a labelled
example (feedback.domain.corrections). The text is the citizen's own: never shown publicly."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import Model
from feedback.models import Ticket, User, UTCDateTime, utcnow


class Correction(Model):
    """A ticket's category changed or the ticket transferred, by an officer or an admin:
    the citizen's text, the category and directorate before and after (codes, which stay when
    names change; equal when that part was not changed), who and when."""

    __tablename__ = "corrections"
    __table_args__ = (
        # The corrections to one category, newest first: the admin's suggested keywords.
        sa.Index("ix_corrections_new_category_at", "new_category", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)  # the citizen's original text: private
    kind: Mapped[str] = mapped_column(sa.String(20))  # feedback.domain.corrections.CorrectionKind
    old_category: Mapped[str | None] = mapped_column(sa.String(40))
    new_category: Mapped[str | None] = mapped_column(sa.String(40))
    old_directorate: Mapped[str | None] = mapped_column(sa.String(40))
    new_directorate: Mapped[str | None] = mapped_column(sa.String(40))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    # The report reads the last N days.
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    ticket: Mapped[Ticket] = relationship()
    user: Mapped[User] = relationship()
