"""/moderation/photos: moderators approve or reject citizens' photos for the public page.
Thin adapter over feedback.services.photo_review."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, Length

from feedback.domain.attachments import Review
from feedback.services import photo_review
from feedback.services.errors import NotFound
from feedback.web.attachments import attachment_response
from feedback.web.roles import moderator_required

bp = Blueprint("photo_review", __name__, url_prefix="/moderation/photos")


class PhotoReviewForm(FlaskForm):
    review = HiddenField(validators=[AnyOf([Review.APPROVED, Review.REJECTED])])
    reason = StringField(
        _l("Reason (needed to reject; staff see it on the ticket)"),
        validators=[Length(max=photo_review.MAX_REASON)],
    )


@bp.get("/")
@moderator_required
def index():
    return render_template(
        "photo_review/index.html", photos=photo_review.photos_waiting(), form=PhotoReviewForm()
    )


@bp.post("/<int:attachment_id>")
@moderator_required
def review(attachment_id: int):
    form = PhotoReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        photo_review.review_photo(
            current_user, attachment_id, Review(form.review.data or ""), form.reason.data or ""
        )
    except NotFound:
        abort(404)
    except photo_review.ReasonNeeded:
        flash(_("Say why the photo is rejected."), "error")
    else:
        approved = form.review.data == Review.APPROVED
        flash(_("Photo approved: it is public.") if approved else _("Photo rejected."), "success")
    return redirect(url_for("photo_review.index"), 303)


@bp.get("/<int:attachment_id>/image")
@moderator_required
def image(attachment_id: int):
    try:
        found, content = photo_review.photo_for_moderator(current_user, attachment_id)
    except NotFound:
        abort(404)
    return attachment_response(found, content, public=False)
