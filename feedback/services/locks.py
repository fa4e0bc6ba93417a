"""Named locks held until the transaction ends, for work that must happen one at a time
across processes. PostgreSQL: an advisory lock, re-entrant; SQLite needs none, since every
transaction takes the database's write lock when it begins (BEGIN IMMEDIATE)."""

import hashlib

import sqlalchemy as sa

from feedback.extensions import db

# Built once: a statement built per message costs more than the database spends on it.
_ADVISORY_LOCK = sa.select(sa.func.pg_advisory_xact_lock(sa.bindparam("key", type_=sa.BigInteger)))


def hold(name: bytes) -> None:
    """Wait for, then hold until commit or rollback, the lock called `name`."""
    if db.session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(name).digest()
        db.session.execute(_ADVISORY_LOCK, {"key": int.from_bytes(digest[:8], "big", signed=True)})
