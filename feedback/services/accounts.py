"""Staff accounts: checking passwords and changing them, creating users (the command line and
the admin pages), deactivating them and signing them out everywhere."""

import logging
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from feedback.domain.phone import normalise_phone
from feedback.domain.roles import DIRECTORATE_ROLES, Role
from feedback.extensions import db
from feedback.models import (
    Directorate,
    User,
)
from feedback.services.errors import NotFound, Refused, all_or_nothing
from feedback.services.rows import by_code

ROLES = tuple(role.value for role in Role)
# Staff account changes with who made them; ticket changes are TicketEvents instead.
audit = logging.getLogger("feedback.audit")
# Checked when no usable account has the name, so that an unknown or deactivated username
# costs as much time as a known one and timing does not tell which names exist.
_DUMMY_PASSWORD_HASH = generate_password_hash(secrets.token_urlsafe(16))


class AccountError(Exception):
    """A user that cannot be created as asked (unknown role or directorate, duplicate name)."""


def authenticate(username: str, password: str) -> User | None:
    """The active user with this name and password, else None; always one password hash."""
    user: User | None = db.session.scalar(
        sa.select(User).where(User.username == username.strip().lower())
    )
    usable = user if user is not None and user.active else None
    stored = usable.password_hash if usable is not None else _DUMMY_PASSWORD_HASH
    if not check_password_hash(stored, password) or usable is None:
        return None
    return usable


def user_of_session(session_id: str) -> User | None:
    """The user a session id (User.get_id: "<id>:<session_version>") names, while that
    version is current and the user active; None once logout, a new password, a role change,
    a deactivation or an admin's sign-out-everywhere has raised the version."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def end_sessions(user: User) -> None:
    """Every session of `user` finds nobody at its next request: they carry the old
    session version (User.get_id). Part of the caller's transaction."""
    user.session_version += 1


def log_out(user: User) -> None:
    """Logging out ends this user's sessions everywhere, copies of the cookie included."""
    end_sessions(user)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> bool:
    """A new password ends every session; the caller logs the current one in again."""
    if not user.check_password(current):
        return False
    user.set_password(new)
    end_sessions(user)
    db.session.commit()
    return True


def change_role(
    username: str,
    role: str,
    directorate_code: str | None = None,
    organisation: str | None = None,
) -> User:
    """Give a user another role (and the directorate or organisation it needs); sessions
    opened under the old role end."""
    user: User | None = db.session.scalar(
        sa.select(User).where(User.username == username.strip().lower())
    )
    if user is None:
        raise AccountError(f"no user {username!r}")
    user.directorate, user.organisation = _placement(role, directorate_code, organisation)
    user.role = role
    end_sessions(user)
    db.session.commit()
    return user


def _placement(
    role: str, directorate_code: str | None, organisation: str | None
) -> tuple[Directorate | None, str | None]:
    """An officer or a manager belongs to one directorate; a monitor to an organisation."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    directorate = None
    if role in DIRECTORATE_ROLES:
        directorate = by_code(Directorate, directorate_code)
        if directorate is None:
            raise AccountError(f"a {role} needs an existing directorate, not {directorate_code!r}")
    if role == Role.MONITOR and not organisation:
        raise AccountError("a monitor needs an organisation")
    return directorate, organisation


def create_user(
    username: str,
    name: str,
    role: str,
    password: str,
    directorate_code: str | None = None,
    organisation: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> User:
    """An officer or a manager belongs to one directorate; a monitor to an organisation. The
    phone and email are where a manager's or the governorate's escalation digest goes."""
    directorate, organisation = _placement(role, directorate_code, organisation)
    username = username.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise AccountError(f"user {username!r} exists already")
    user = User(
        username=username,
        name=name,
        role=role,
        directorate=directorate,
        organisation=organisation,
        phone=_staff_phone(phone),
        email=(email or "").strip() or None,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def _staff_phone(text: str | None) -> str | None:
    """A staff phone as the outbox wants it (E.164), or None when none was given."""
    if not (text or "").strip():
        return None
    number = normalise_phone(text or "")
    if number is None:
        raise AccountError(f"not a phone number: {text!r}")
    return number


@dataclass(frozen=True)
class NewUser:
    username: str
    name: str
    role: str
    password: str
    directorate_code: str | None = None
    organisation: str | None = None
    phone: str | None = None
    email: str | None = None


def list_users() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).options(joinedload(User.directorate)).order_by(User.role, User.username)
        )
    )


@all_or_nothing
def create_staff_user(new: NewUser) -> User:
    """A staff account through accounts.create_user; a taken username is refused on its field
    (other AccountErrors propagate with their own message)."""
    username = new.username.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Refused("username", "username_taken")
    return create_user(
        username,
        new.name.strip(),
        new.role,
        new.password,
        new.directorate_code if new.role in DIRECTORATE_ROLES else None,
        (new.organisation or "").strip() or None,
        new.phone,
        new.email,
    )


@all_or_nothing
def set_user_active(admin_user: User, user_id: int, active: bool) -> User:
    """Let a user log in again, or stop them; an admin never locks themselves out."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    if user.id == admin_user.id and not active:
        raise Refused(None, "deactivate_self")
    user.active = active
    end_sessions(user)  # a later reactivation must not revive sessions from before
    db.session.commit()
    return user


@all_or_nothing
def sign_out_everywhere(admin_user: User, user_id: int) -> User:
    """End every session of a user (a lost laptop, a shared computer); they may log in
    again. Who did it goes to the audit log."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    end_sessions(user)
    db.session.commit()
    audit.info("%s signed %s out everywhere", admin_user.username, user.username)
    return user


@all_or_nothing
def set_moderator(admin_user: User, user_id: int, moderator: bool) -> User:
    """Let an active staff or monitor account moderate what the public sees (photos, public
    texts), or stop it; an admin moderates by role already. Who did it goes to the audit log."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    if user.role == Role.ADMIN:
        raise Refused(None, "admin_moderates")
    if moderator and not user.active:
        raise Refused(None, "moderator_inactive")
    user.moderator = moderator
    db.session.commit()
    verb = "made" if moderator else "unmade"
    audit.info("%s %s %s a moderator", admin_user.username, verb, user.username)
    return user
