"""Monitor pages: thin adapters over feedback.services.verification."""

import re
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, TextAreaField  # type: ignore[attr-defined]  # new in WTForms 3.3, not in types-WTForms 3.2
from wtforms.validators import DataRequired, Length

from feedback.domain.events import Verdict
from feedback.domain.roles import READING_ROLES, Role
from feedback.services import verification
from feedback.services.errors import NotFound
from feedback.services.photos import MAX_PHOTO_BYTES, BadPhoto
from feedback.services.queues import filter_choices
from feedback.services.tickets import find_public_ticket
from feedback.web.attachments import read_upload
from feedback.web.roles import role_required

bp = Blueprint("monitor", __name__, url_prefix="/monitor")
# The names record_verdict gives stored photos; nothing else is ever served from uploads/.
STORED_PHOTO_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png)")


class VerdictForm(FlaskForm):
    verdict = SelectField(
        _l("What did you find?"),
        choices=[
            SelectChoice(Verdict.VERIFIED, _l("Fixed: I checked it")),
            SelectChoice(Verdict.DISPUTED, _l("Not fixed: I dispute it")),
        ],
    )
    note = TextAreaField(_l("What you saw (public)"), [DataRequired(), Length(max=2000)])
    photo = FileField(_l("Photo (JPEG or PNG, up to 5 MB, optional)"))


def upload_dir() -> Path:
    return Path(current_app.instance_path) / "uploads"


@bp.get("/")
@role_required(Role.MONITOR, Role.ADMIN)
def index():
    areas = filter_choices(str(get_locale())).areas
    return render_template(
        "monitor/index.html",
        waiting=verification.awaiting_verification(),
        follows=verification.follows_of(current_user),
        feed=verification.feed(current_user),
        areas=areas,
    )


@bp.route("/t/<reference>", methods=["GET", "POST"])
@role_required(Role.MONITOR, Role.ADMIN)
def ticket(reference: str):
    found = find_public_ticket(reference)
    if found is None:
        abort(404)
    form = VerdictForm()
    if form.validate_on_submit():
        upload = form.photo.data
        photo = read_upload(upload, MAX_PHOTO_BYTES) if upload else None
        try:
            verification.record_verdict(
                current_user,
                reference,
                form.verdict.data,
                form.note.data or "",
                photo,
                upload_dir(),
            )
        except verification.NotVerifiable:
            flash(_("Only a resolved ticket can be verified or disputed."), "error")
            return redirect(url_for("monitor.ticket", reference=reference), 303)
        except BadPhoto:
            form.photo.errors = [_("The photo must be a JPEG or PNG of at most 5 MB.")]
            return render_template("monitor/ticket.html", found=found, form=form), 400
        else:
            flash(_("Thank you: your check is on the public record."), "success")
            return redirect(url_for("monitor.ticket", reference=reference), 303)
    status = 400 if form.errors else 200
    return render_template("monitor/ticket.html", found=found, form=form), status


@bp.post("/t/<reference>/follow")
@role_required(Role.MONITOR, Role.ADMIN)
def follow_ticket(reference: str):
    try:
        verification.follow_ticket(current_user, reference)
    except NotFound:
        abort(404)
    return redirect(url_for("monitor.ticket", reference=reference), 303)


@bp.post("/areas/follow")
@role_required(Role.MONITOR, Role.ADMIN)
def follow_area():
    try:
        verification.follow_area(current_user, request.form.get("area", ""))
    except NotFound:
        abort(404)
    return redirect(url_for("monitor.index"), 303)


@bp.post("/follows/<int:follow_id>/delete")
@role_required(Role.MONITOR, Role.ADMIN)
def unfollow(follow_id: int):
    verification.unfollow(current_user, follow_id)
    return redirect(url_for("monitor.index"), 303)


@bp.get("/photos/<name>")
@role_required(Role.MONITOR, *READING_ROLES)
def photo(name: str):
    """Field photos are for staff: a photo may show a person or a house. Only names we made
    are served, as images shown in place, never sniffed into anything else."""
    if not STORED_PHOTO_NAME.fullmatch(name):
        abort(404)
    return send_from_directory(upload_dir(), name, as_attachment=False, max_age=0)
