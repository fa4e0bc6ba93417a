"""Two-factor login pages: enrol (QR code as inline SVG, confirm with a code, recovery codes
shown once) and turn it off (password and code). Where PRODUCTION is set, a user whose role
requires it reaches nothing else until enrolled."""

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from feedback.domain import two_factor as rules
from feedback.services import two_factor
from feedback.web.auth import stay_logged_in

bp = Blueprint("two_factor", __name__)

# What a user who must enrol may still open.
OPEN_BEFORE_ENROLMENT = {"two_factor.settings", "auth.logout", "static", "web.switch_language"}


class ConfirmForm(FlaskForm):
    code = StringField(
        _l("The 6-digit code your app shows"), validators=[DataRequired(), Length(max=10)]
    )


class DisableForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    code = StringField(
        _l("Code from your app, or a recovery code"),
        validators=[DataRequired(), Length(max=40)],
    )


@bp.before_app_request
def require_enrolment():
    if not (current_user.is_authenticated and not current_user.two_factor_enabled):
        return None
    if not rules.required(current_user.role, bool(current_app.config.get("PRODUCTION"))):
        return None
    if request.endpoint in OPEN_BEFORE_ENROLMENT:
        return None
    flash(_("Your account must use two-factor login. Set it up to continue."), "error")
    return redirect(url_for("two_factor.settings"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def settings():
    """Off: the QR code and a form to confirm it; on: how many recovery codes are left and a
    form to turn it off."""
    if current_user.two_factor_enabled:
        return _enabled_page(DisableForm(formdata=None))
    form = ConfirmForm()
    if form.validate_on_submit():
        codes = two_factor.confirm(current_user, form.code.data)
        if codes is not None:
            stay_logged_in()
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors = [_("That code is wrong. Check your phone's clock and try again.")]
    secret = two_factor.pending_secret(current_user)
    qr = segno.make(rules.provisioning_uri(secret, current_user.username), error="m")
    # Inline SVG: no script, no style attribute, nothing fetched. segno writes the markup;
    # the URI is drawn as modules, never copied into it as text.
    svg = Markup(qr.svg_inline(scale=5, light="#fff", title=_("QR code for your app")))  # noqa: S704
    page = render_template(
        "auth/two_factor.html", form=form, qr_svg=svg, secret=rules.grouped(secret)
    )
    return page, 400 if form.errors else 200


@bp.post("/account/two-factor/disable")
@login_required
def disable():
    form = DisableForm()
    if not current_user.two_factor_enabled:
        return redirect(url_for("two_factor.settings"))
    if form.validate_on_submit():
        if two_factor.disable(current_user, form.password.data, form.code.data):
            stay_logged_in()
            flash(_("Two-factor login is off."), "success")
            return redirect(url_for("two_factor.settings"))
        form.code.errors = [_("Wrong password or code.")]
    return _enabled_page(form), 400


def _enabled_page(form: DisableForm):
    return render_template(
        "auth/two_factor_on.html",
        form=form,
        unused=two_factor.unused_recovery_codes(current_user),
        required=rules.required(current_user.role, bool(current_app.config.get("PRODUCTION"))),
    )
