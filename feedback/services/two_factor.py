"""Two-factor login for staff: enrolling (a secret shown as a QR code, confirmed by a code
before it is on, recovery codes shown once), the login's second step, and turning it off.
Turning it on or off ends the user's other sessions. A code or recovery code is spent by a
conditional UPDATE, so two requests racing with the same one cannot both pass."""

import time
from typing import Any, cast

import sqlalchemy as sa

from feedback.domain import two_factor
from feedback.extensions import db
from feedback.models import RecoveryCode, User, utcnow
from feedback.services.accounts import AccountError, end_sessions


def pending_secret(user: User) -> str:
    """The secret to enrol with: kept while enrolment is unfinished, so reloading the page
    shows the same QR code."""
    if user.two_factor_enabled:
        raise ValueError("two-factor login is on already")
    if user.totp_secret is None:
        user.totp_secret = two_factor.new_secret()
        db.session.commit()
    return user.totp_secret


def confirm(user: User, code: str, at: float | None = None) -> list[str] | None:
    """Turn two-factor login on once `code` shows the app has the secret; returns the new
    recovery codes (their only appearance in clear), or None for a wrong code."""
    if user.two_factor_enabled or user.totp_secret is None:
        return None
    step = two_factor.matching_step(user.totp_secret, code, _now(at), None)
    if step is None:
        return None
    user.two_factor_since = utcnow()
    user.totp_last_step = step
    codes = two_factor.new_recovery_codes()
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=two_factor.recovery_code_hash(c)) for c in codes
    )
    end_sessions(user)
    db.session.commit()
    return codes


def passes(user: User, code: str, at: float | None = None) -> bool:
    """The login's second step: a current code from the app, not used before, or an unspent
    recovery code (spent by this)."""
    spent = _spend(user, code, _now(at))
    db.session.commit()
    return spent


def disable(user: User, password: str, code: str, at: float | None = None) -> bool:
    """Turn two-factor login off: needs the password and a code (or a recovery code)."""
    if not user.check_password(password) or not _spend(user, code, _now(at)):
        db.session.rollback()
        return False
    _clear(user)
    db.session.commit()
    return True


def reset(username: str) -> User:
    """For the command line: a user who lost both phone and recovery codes enrols again."""
    user: User | None = db.session.scalar(
        sa.select(User).where(User.username == username.strip().lower())
    )
    if user is None:
        raise AccountError(f"no user {username!r}")
    _clear(user)
    db.session.commit()
    return user


def unused_recovery_codes(user: User) -> int:
    """How many recovery codes are left, so the user knows when to set up afresh."""
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def _clear(user: User) -> None:
    user.totp_secret = None
    user.two_factor_since = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_sessions(user)


def _spend(user: User, code: str, at: float) -> bool:
    if not user.two_factor_enabled or user.totp_secret is None:
        return False
    if two_factor.is_time_code(code):
        return _spend_time_code(user, user.totp_secret, code, at)
    return _spend_recovery_code(user, code)


def _spend_time_code(user: User, secret: str, code: str, at: float) -> bool:
    step = two_factor.matching_step(secret, code, at, user.totp_last_step)
    if step is None:
        return False
    spent = db.session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return _rows_changed(spent) == 1


def _spend_recovery_code(user: User, code: str) -> bool:
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == two_factor.recovery_code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return _rows_changed(spent) == 1


def _rows_changed(result: sa.Result[Any]) -> int:
    """An UPDATE's result is a cursor's, which counts the rows it changed."""
    return cast(sa.CursorResult[Any], result).rowcount


def _now(at: float | None) -> float:
    return time.time() if at is None else at
