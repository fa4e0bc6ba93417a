"""Response templates: a directorate's ready answers to common complaints, in Arabic and
English, that officers pick and edit before sending (issue 14). Admins keep them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import Model
from feedback.models import Directorate, UTCDateTime, utcnow


class ResponseTemplate(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    directorate_id: Mapped[int] = mapped_column(sa.ForeignKey("directorate.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body_ar: Mapped[str] = mapped_column(sa.Text)
    body_en: Mapped[str] = mapped_column(sa.Text)
    # A retired template stays for the record but is offered to nobody.
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    directorate: Mapped[Directorate] = relationship()

    def body(self, language: str) -> str:
        """The text for a citizen who writes in `language`."""
        return self.body_ar if language == "ar" else self.body_en
