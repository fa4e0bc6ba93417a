"""Photos and voice notes attached to tickets. The content lives in attachment storage (never
under static/), named by `storage_key`; this row says what it is, where it came from and
whether the public may see it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.domain.attachments import Fetch, Review
from feedback.extensions import Model
from feedback.models import Ticket, User, UTCDateTime, utcnow


class Attachment(Model):
    """One photo or voice note of one ticket. WhatsApp media arrive as a URL to fetch
    (`source_url`, fetch WAITING), web uploads as content (fetch STORED at once)."""

    __table_args__ = (
        # The moderation queue: photos waiting, oldest first.
        sa.Index("ix_attachment_review_created_at", "review", "created_at"),
        # The worker's media due for fetching.
        sa.Index("ix_attachment_fetch_next_fetch_at", "fetch", "next_fetch_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("ticket.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # AttachmentKind
    content_type: Mapped[str] = mapped_column(sa.String(100))
    storage_key: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    size_bytes: Mapped[int | None] = mapped_column()
    source_url: Mapped[str | None] = mapped_column(sa.String(1000))
    fetch: Mapped[str] = mapped_column(sa.String(10), default=Fetch.STORED)  # Fetch
    fetch_attempts: Mapped[int] = mapped_column(default=0)
    next_fetch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review: Mapped[str] = mapped_column(sa.String(10), default=Review.PENDING)  # Review
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    reviewed_by: Mapped[User | None] = relationship()
