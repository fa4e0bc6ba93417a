"""What we know of a citizen's phone number, on SMS and WhatsApp alike: whether it has
texted us, whether an admin blocked it, whether it asked for no notices (STOP). What is done
to one number is done one transaction at a time: counts of its messages and SMS are read
from the database under its lock, so they stay exact when many requests arrive at once."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from feedback.domain.phone import addresses, bare_number
from feedback.extensions import db
from feedback.models import (
    Message,
    NoticeStop,
    NumberBlock,
    User,
    utcnow,
)
from feedback.services import locks
from feedback.services.errors import NotFound, Refused, all_or_nothing


def lock_sender(address: str) -> None:
    """Held while a message from the number is handled: its flood count, block and STOP."""
    _lock(b"sender:", address)


def lock_recipient(address: str) -> None:
    """Held while an SMS to the number is queued: its daily allowance, and one block at a
    time. Taken last, after any ticket row (an officer's action locks the ticket first; a
    message holds its sender lock, then touches tickets, then queues its reply), so two
    transactions never wait on each other in a circle."""
    _lock(b"recipient:", address)


def _lock(kind: bytes, address: str) -> None:
    """Until this transaction ends; the number, SMS and WhatsApp alike."""
    locks.hold(kind + bare_number(address).encode())


def has_texted_us(address: str) -> bool:
    """Whether the number has ever sent us a message itself, on any channel: then it is
    surely its owner who wants our SMS, not a stranger who typed it into a form."""
    query = sa.select(Message.id).where(
        Message.direction == "in", Message.from_number.in_(addresses(address))
    )
    return db.session.scalar(query.limit(1)) is not None


def active_block(address: str) -> NumberBlock | None:
    """The admin's block on this number, if it is blocked now (on any channel)."""
    query = sa.select(NumberBlock).where(blocking(bare_number(address)))
    return db.session.scalar(query.limit(1))


def blocking(number: str | sa.BindParameter[str]) -> sa.ColumnElement[bool]:
    """The condition on NumberBlock rows that block `number` (bare: no channel prefix; or a
    bound parameter) now, for intake to read with other things in one statement."""
    return sa.and_(NumberBlock.number == number, NumberBlock.unblocked_at.is_(None))


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


def list_blocks(limit: int = 500) -> list[NumberBlock]:
    """Blocks in force first, then lifted ones; newest first in each."""
    return list(
        db.session.scalars(
            sa.select(NumberBlock)
            .options(joinedload(NumberBlock.blocked_by), joinedload(NumberBlock.unblocked_by))
            .order_by(NumberBlock.unblocked_at.is_not(None), NumberBlock.id.desc())
            .limit(limit)
        )
    )


@all_or_nothing
def block_number(admin_user: User, number: str, reason: str) -> NumberBlock:
    """Block a number (E.164, already checked) for `reason`; a number is blocked once at a
    time, checked under the number's lock."""
    lock_recipient(number)
    if active_block(number) is not None:
        raise Refused("number", "already_blocked")
    block = NumberBlock(number=bare_number(number), reason=reason.strip(), blocked_by=admin_user)
    db.session.add(block)
    db.session.commit()
    return block


@all_or_nothing
def unblock_number(admin_user: User, block_id: int) -> NumberBlock:
    """Lift a block; the record stays, with who lifted it and when."""
    block = db.session.get(NumberBlock, block_id, with_for_update=True)
    if block is None or block.unblocked_at is not None:
        raise NotFound(block_id)
    block.unblocked_at = utcnow()
    block.unblocked_by = admin_user
    db.session.commit()
    return block
