"""Logging in (with a second step for users with two-factor login) and out, and changing
one's password. Failed logins are limited per address (Flask-Limiter) and slowed per account
and address (feedback.web.throttle), so guessing is slow, yet nobody can lock a staff member
out by failing on purpose."""

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from feedback.domain.roles import READING_ROLES, Role
from feedback.extensions import limiter
from feedback.services import two_factor
from feedback.services.accounts import authenticate, change_password, log_out, user_of_session
from feedback.web import throttle

bp = Blueprint("auth", __name__)

# Between the password and the code: who, where to go next, and until when (epoch seconds).
SECOND_STEP = "login_second_step"
SECOND_STEP_SECONDS = 300


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class SecondStepForm(FlaskForm):
    code = StringField(
        _l("Code from your app, or a recovery code"),
        validators=[DataRequired(), Length(max=40)],
    )


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=10, message=_l("At least 10 characters."))],
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new", message=_l("The two new passwords differ."))],
    )


def _failed(response) -> bool:
    """Only failed attempts count towards the limits."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        attempt = ("login", form.username.data.strip().lower(), request.remote_addr or "")
        wait = throttle.seconds_to_wait(attempt)
        if wait:
            return throttle.refusal(wait, "auth/login.html", form=form)
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            throttle.forget(attempt)
            next_path = _safe_next(request.args.get("next"))
            if user.two_factor_enabled:
                # Not logged in yet: the second step finishes it.
                session[SECOND_STEP] = {
                    "user": user.get_id(),
                    "next": next_path,
                    "until": time.time() + SECOND_STEP_SECONDS,
                }
                return redirect(url_for("auth.second_step"))
            login_user(user)
            return redirect(next_path or _home_of(user))
        throttle.record_failure(attempt)
        form.password.errors = [_("Wrong username or password.")]
    status = 401 if form.errors and request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed
)
def second_step():
    """The code from the user's app (or a recovery code) after a right password. Slowed per
    account alone: only someone who knows the password gets here."""
    pending = session.get(SECOND_STEP) or {}
    user = None
    if pending.get("until", 0) > time.time():
        user = user_of_session(pending.get("user", ""))
    if user is None or not user.two_factor_enabled:
        session.pop(SECOND_STEP, None)
        flash(_("Please log in again."), "error")
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    if form.validate_on_submit():
        attempt = ("two-factor", str(user.id))
        wait = throttle.seconds_to_wait(attempt)
        if wait:
            return throttle.refusal(wait, "auth/second_step.html", form=form)
        if two_factor.passes(user, form.code.data):
            throttle.forget(attempt)
            session.pop(SECOND_STEP, None)
            login_user(user)
            return redirect(pending.get("next") or _home_of(user))
        throttle.record_failure(attempt)
        form.code.errors = [_("That code is wrong or has been used already.")]
    status = 401 if form.errors and request.method == "POST" else 200
    return render_template("auth/second_step.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    log_out(current_user)
    logout_user()
    return redirect(url_for("web.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if change_password(current_user, form.current.data, form.new.data):
            stay_logged_in()
            flash(_("Your password has been changed."))
            return redirect(_home_of(current_user))
        form.current.errors = [_("That is not your current password.")]
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


def stay_logged_in() -> None:
    """After a change that ended every session of the user, keep this one: it now carries
    the new session version."""
    login_user(current_user._get_current_object())


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect to someone else's."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _home_of(user) -> str:
    if user.role == Role.MONITOR:
        return url_for("monitor.index")
    return url_for("officer.queue") if user.role in READING_ROLES else url_for("web.home")
