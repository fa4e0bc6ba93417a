"""What we know of a citizen's phone number, on SMS and WhatsApp alike: whether it has
texted us, whether an admin blocked it, whether it asked for no notices (STOP). What is done
to one number is done one transaction at a time: counts of its messages and SMS are read
from the database under its lock, so they stay exact when many requests arrive at once."""

import hashlib

import sqlalchemy as sa

from feedback.domain.phone import addresses, bare_number
from feedback.extensions import db
from feedback.models import Message, NoticeStop, NumberBlock


def lock_number(address: str) -> None:
    """Hold the number (SMS and WhatsApp alike) until this transaction ends. PostgreSQL: a
    transaction-level advisory lock, re-entrant; SQLite needs none, since every transaction
    takes the database's write lock when it begins (BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_lock_key(address))))


def _lock_key(address: str) -> int:
    digest = hashlib.sha256(b"phone:" + bare_number(address).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def has_texted_us(address: str) -> bool:
    """Whether the number has ever sent us a message itself, on any channel: then it is
    surely its owner who wants our SMS, not a stranger who typed it into a form."""
    query = sa.select(Message.id).where(
        Message.direction == "in", Message.from_number.in_(addresses(address))
    )
    return db.session.scalar(query.limit(1)) is not None


def active_block(address: str) -> NumberBlock | None:
    """The admin's block on this number, if it is blocked now (on any channel)."""
    query = sa.select(NumberBlock).where(
        NumberBlock.number == bare_number(address), NumberBlock.unblocked_at.is_(None)
    )
    return db.session.scalar(query.limit(1))


def notices_off(address: str) -> bool:
    """Whether the number texted STOP (and not START since)."""
    query = sa.select(NoticeStop.id).where(NoticeStop.number == bare_number(address))
    return db.session.scalar(query) is not None


def stop_notices(address: str) -> None:
    """STOP: no more notices to this number (the caller holds its lock, so no race)."""
    if not notices_off(address):
        db.session.add(NoticeStop(number=bare_number(address)))


def start_notices(address: str) -> None:
    """START: notices again."""
    db.session.execute(sa.delete(NoticeStop).where(NoticeStop.number == bare_number(address)))
