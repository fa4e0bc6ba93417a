"""The moderation pages (issue 16): the queue of what waits for moderators (citizens' photos,
reviewed on their own pages at /moderation/photos, and tickets' public texts) and the text
actions, each with a reason. Thin adapters over feedback.services.moderation; open to admins
and the accounts an admin made moderators."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from feedback.domain.moderation import CUT, MAX_REASON
from feedback.domain.reference import normalise_reference
from feedback.domain.roles import may_moderate
from feedback.models import row_id, utcnow
from feedback.services import moderation
from feedback.services.errors import NotFound, Refused
from feedback.web.labels import moderation_action_label, text_moderation_label
from feedback.web.roles import moderator_required

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
# Far longer than any complaint (a redaction is a cut of one): a bound on what a post carries.
MAX_TEXT = 20_000

REFUSALS = {
    "reason_required": _l("Say why: the reason is kept for staff, never shown to the public."),
    "reason_too_long": _l("At most %(count)s characters."),
    "empty": _l("Nothing of the text would be left: hide it instead."),
    "unchanged": _l("Nothing was cut: this is the citizen's whole text."),
    "not_a_cut": _l(
        "A redaction only cuts: keep the rest of the citizen's words as they are, and put "
        "%(cut)s where you cut something out."
    ),
    "already_hidden": _l("The text is hidden already."),
    "nothing_to_restore": _l("The public reads the citizen's text already."),
}


class ReasonForm(FlaskForm):
    """Hiding or restoring: only the reason travels."""

    reason = TextAreaField(
        _l("Why (for staff, never public)"), [DataRequired(), Length(max=MAX_REASON)]
    )


class RedactForm(ReasonForm):
    text = TextAreaField(_l("Public text"), [DataRequired(), Length(max=MAX_TEXT)])


@bp.app_context_processor
def inject_moderation():
    return {
        "may_moderate": may_moderate,
        "moderation_action_label": moderation_action_label,
        "text_moderation_label": text_moderation_label,
    }


@bp.get("/")
@moderator_required
def queue():
    """What waits: photos (a count, the oldest wait) and the latest texts, or one ticket's
    text looked up by its reference."""
    typed = request.args.get("ref", "").strip()
    moderated_only = request.args.get("moderated") == "1"
    if typed:
        reference = normalise_reference(typed)
        found = moderation.text_to_review(reference) if reference else None
        page = moderation.TextPage([found] if found else [], None)
    else:
        page = moderation.texts_to_review(
            moderated_only=moderated_only, before=request.args.get("before", type=row_id)
        )
    return render_template(
        "moderation/queue.html",
        figures=moderation.figures(),
        texts=[(text, _blank_forms(text)) for text in page.texts],
        older=page.older,
        typed=typed,
        moderated_only=moderated_only,
        now=utcnow(),
        cut=CUT,
    )


@bp.get("/t/<reference>")
@moderator_required
def ticket(reference: str):
    return _ticket_page(reference)


@bp.post("/t/<reference>/redact")
@moderator_required
def redact(reference: str):
    form = RedactForm()
    return _act(
        form,
        "redact",
        reference,
        lambda: moderation.redact_text(
            current_user, reference, form.text.data or "", form.reason.data or ""
        ),
        _l("The public text of %(reference)s is redacted."),
    )


@bp.post("/t/<reference>/hide")
@moderator_required
def hide(reference: str):
    form = ReasonForm()
    return _act(
        form,
        "hide",
        reference,
        lambda: moderation.hide_text(current_user, reference, form.reason.data or ""),
        _l("The public text of %(reference)s is hidden."),
    )


@bp.post("/t/<reference>/restore")
@moderator_required
def restore(reference: str):
    form = ReasonForm()
    return _act(
        form,
        "restore",
        reference,
        lambda: moderation.restore_text(current_user, reference, form.reason.data or ""),
        _l("The public reads the citizen's text of %(reference)s again."),
    )


def _act(form: ReasonForm, action: str, reference: str, change, done) -> ResponseReturnValue:
    """Run the change when the form is filled in; a refusal shows the ticket's page again
    with the error where it belongs (400), a success goes back to it with a flash (303)."""
    if form.validate_on_submit():
        try:
            ticket = change()
        except NotFound:
            abort(404)
        except Refused as error:
            text = str(REFUSALS[error.reason]) % {**error.params, "cut": CUT}
            if error.field:
                getattr(form, error.field).errors.append(text)
            else:
                form.form_errors.append(text)
        else:
            flash(str(done) % {"reference": ticket.reference}, "success")
            return redirect(url_for("moderation.ticket", reference=ticket.reference), 303)
    return _ticket_page(reference, **{action: form})


def _blank_forms(found: moderation.TextToReview) -> dict[str, ReasonForm]:
    """The three actions' forms for one text, the redaction's filled with its draft."""
    return {
        "redact": RedactForm(formdata=None, text=found.draft),
        "hide": ReasonForm(formdata=None),
        "restore": ReasonForm(formdata=None),
    }


def _ticket_page(reference: str, **failed: ReasonForm) -> ResponseReturnValue:
    found = moderation.text_to_review(reference)
    if found is None:
        abort(404)
    forms = {**_blank_forms(found), **failed}
    page = render_template("moderation/ticket.html", text=found, forms=forms, cut=CUT)
    return (page, 400) if failed else page
