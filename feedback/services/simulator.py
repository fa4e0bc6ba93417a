"""What the simulated phone shows: every message to and from one number, oldest first."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Message, Outbox


@dataclass(frozen=True)
class Bubble:
    at: datetime
    outgoing: bool  # from the platform to the phone
    text: str
    status: str = ""


def conversation(phone: str, limit: int = 50) -> list[Bubble]:
    senders = [phone, f"whatsapp:{phone}"]
    bubbles: list[Bubble] = []
    for message in db.session.scalars(
        sa.select(Message)
        .where(Message.direction == "in", Message.from_number.in_(senders))
        .order_by(Message.id.desc())
        .limit(limit)
    ):
        bubbles.append(Bubble(message.created_at, False, message.body))
        if message.reply_body:
            bubbles.append(Bubble(message.created_at, True, message.reply_body, "reply"))
    for row in db.session.scalars(
        sa.select(Outbox)
        .where(Outbox.to_number.in_(senders))
        .order_by(Outbox.id.desc())
        .limit(limit)
    ):
        bubbles.append(Bubble(row.created_at, True, row.body, row.status))
    return sorted(bubbles, key=lambda bubble: (bubble.at, bubble.outgoing))
