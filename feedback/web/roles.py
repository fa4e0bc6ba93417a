"""Who may open a page: a role check (or the moderator check) on top of Flask-Login's
login_required."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from feedback.domain.roles import may_moderate


def role_required(*roles: str):
    """Anonymous visitors are sent to log in; a logged-in user of another role gets 403."""

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def moderator_required(view):
    """Admins and the accounts an admin made moderators (may_moderate), whatever their
    directorate: moderation is about what the public reads. Anyone else gets 403."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not may_moderate(current_user.role, current_user.moderator):
            abort(403)
        return view(*args, **kwargs)

    return guarded
