"""Public pages: thin adapters from HTTP to the intake and ticket services."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from limits import parse as parse_limit
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in types-WTForms 3.2

from feedback.domain.phone import normalise_phone
from feedback.domain.reference import normalise_reference
from feedback.domain.support import SupportOutcome
from feedback.domain.text import clean_text
from feedback.extensions import limiter
from feedback.services import attachments
from feedback.services.errors import NotFound
from feedback.services.incident_support import support_from_web
from feedback.services.intake import WebReport, submit_web_report
from feedback.services.photos import MAX_CITIZEN_PHOTO_BYTES, BadPhoto, PhotoProblem
from feedback.services.public_incidents import find_public_incident
from feedback.services.tickets import (
    active_categories,
    basemap_geojson,
    count_tickets,
    find_public_ticket,
    receipt_sms,
)
from feedback.web.attachments import attachment_response, read_upload
from feedback.web.forms import ReportForm
from feedback.web.input_guard import cleans_its_input
from feedback.web.labels import (
    action_label,
    channel_label,
    delivery_label,
    event_label,
    incident_event_label,
    incident_status_label,
    photo_review_label,
    receipt_withheld_label,
    status_label,
    triage_reason_label,
    withheld_label,
)

bp = Blueprint("web", __name__)


@bp.app_context_processor
def inject_labels():
    return {
        "status_label": status_label,
        "event_label": event_label,
        "action_label": action_label,
        "delivery_label": delivery_label,
        "channel_label": channel_label,
        "triage_reason_label": triage_reason_label,
        "withheld_label": withheld_label,
        "receipt_withheld_label": receipt_withheld_label,
        "incident_status_label": incident_status_label,
        "incident_event_label": incident_event_label,
        "photo_review_label": photo_review_label,
    }


@bp.get("/")
def home():
    return render_template("web/home.html", ticket_count=count_tickets())


@bp.route("/report", methods=["GET", "POST"])
@cleans_its_input  # ReportForm cleans what it reads
def report():
    language = str(get_locale())
    form = ReportForm()
    form.category.choices = [SelectChoice("", _("Choose the kind of problem…"))] + [
        SelectChoice(c.code, c.name(language)) for c in active_categories()
    ]
    if form.validate_on_submit():
        if form.phone.data and not _report_with_phone_allowed():
            form.phone.errors = [*form.phone.errors, _THROTTLED]
            return _report_again(form, 429)
        uploads = [upload for upload in form.photo.data or [] if upload and upload.filename]
        if len(uploads) > MAX_REPORT_PHOTOS:
            form.photo.errors = [_("At most %(count)s photos, please.", count=MAX_REPORT_PHOTOS)]
            return _report_again(form, 400)
        photos = tuple(read_upload(upload, MAX_CITIZEN_PHOTO_BYTES) for upload in uploads)
        try:
            ticket = submit_web_report(
                WebReport(
                    category_code=form.category.data,
                    description=form.description.data.strip(),
                    language=language,
                    lat=form.lat.data,
                    lon=form.lon.data,
                    phone=normalise_phone(form.phone.data) if form.phone.data else None,
                    photos=photos,
                )
            )
        except BadPhoto as error:
            name = clean_text(uploads[error.index or 0].filename or "")[:100]
            form.photo.errors = [str(_PHOTO_REFUSED[error.problem]) % {"name": name}]
            return _report_again(form, 400)
        return redirect(url_for("web.report_received", reference=ticket.reference))
    return (
        _report_again(form, 400) if form.errors else render_template("web/report.html", form=form)
    )


def _report_again(form: ReportForm, status: int):
    """The form back with its errors and what was typed; a browser cannot refill a file field,
    so a citizen who attached photos is told to choose them again, not left to find out."""
    if any(upload and upload.filename for upload in form.photo.data or []):
        form.photo.errors = [*form.photo.errors, _("Please choose your photos again.")]
    return render_template("web/report.html", form=form), status


MAX_REPORT_PHOTOS = 3
_PHOTO_REFUSED = {
    PhotoProblem.TOO_LARGE: _l("%(name)s is larger than 10 MB. Please send a smaller photo."),
    PhotoProblem.TOO_MANY_PIXELS: _l(
        "%(name)s has too many pixels. Please send a photo from a phone's camera."
    ),
    PhotoProblem.NOT_AN_IMAGE: _l("%(name)s is not a photo we can read (JPEG, PNG, WebP or HEIC)."),
    PhotoProblem.HIDDEN_CONTENT: _l(
        "%(name)s holds something besides the photo, so we cannot accept it. Please send the "
        "photo straight from your camera."
    ),
}


_THROTTLED = _l(
    "Too many reports giving a phone number have come from your connection. Send this one "
    "without a number (follow it with its reference), or try again later."
)


def _report_with_phone_allowed() -> bool:
    """Reports giving a phone number, counted per address in Flask-Limiter's storage (Redis
    in production, shared by every process), so the form cannot be used to bomb a phone."""
    limit = parse_limit(current_app.config["REPORT_PHONE_LIMIT_PER_ADDRESS"])
    try:
        return limiter.limiter.hit(limit, "report-with-phone", get_remote_address())
    except Exception:  # the counters' store is down: take the report (none is lost); the
        # number's daily SMS allowance, kept in the database, still protects its phone
        current_app.logger.exception("report throttle unavailable; report accepted")
        return True


@bp.get("/report/received/<reference>")
def report_received(reference: str):
    found = find_public_ticket(reference)
    if found is None:
        abort(404)
    return render_template("web/received.html", ticket=found, receipt=receipt_sms(found.reference))


@bp.get("/t")
def lookup():
    """The home page's look-up box: forgive case, spaces and Arabic digits."""
    reference = normalise_reference(request.args.get("ref", ""))
    if reference is None:
        abort(404)
    return redirect(url_for("web.public_ticket", reference=reference))


@bp.get("/areas/basemap.geojson")
def basemap():
    return basemap_geojson()


@bp.get("/t/<reference>")
def public_ticket(reference: str):
    found = find_public_ticket(reference)
    if found is None:
        abort(404)
    return render_template(
        "web/ticket.html", ticket=found, events=found.events, notices_off=found.notices_off
    )


@bp.get("/t/<reference>/photos/<int:attachment_id>")
def public_photo(reference: str, attachment_id: int):
    """A photo a moderator approved; anything else, a voice note included, does not exist."""
    try:
        attachment, content = attachments.public_photo(reference, attachment_id)
    except NotFound:
        abort(404)
    return attachment_response(attachment, content, public=True)


@bp.get("/incidents/<int:incident_id>")
def public_incident(incident_id: int):
    found = find_public_incident(incident_id, str(get_locale()))
    if found is None:
        abort(404)
    return render_template("web/incident.html", incident=found)


@bp.post("/incidents/<int:incident_id>/me-too")
@limiter.limit(lambda: current_app.config["SUPPORT_LIMIT_PER_ADDRESS"])
def support_incident(incident_id: int):
    """A "me too" from the incident's page; one per client address (kept hashed)."""
    support = support_from_web(incident_id, get_remote_address())
    if support.outcome is SupportOutcome.NOT_FOUND:
        abort(404)
    flash(str(_SUPPORTED[support.outcome]) % {"count": support.reports}, "success")
    return redirect(url_for("web.public_incident", incident_id=incident_id))


_SUPPORTED = {
    SupportOutcome.ADDED: _l("Thank you: you are counted. %(count)s reports so far."),
    SupportOutcome.ALREADY: _l("You are already counted for this problem."),
    SupportOutcome.CLOSED: _l(
        "This problem is marked resolved or closed. If it is back, please report it."
    ),
}


@bp.get("/lang/<code>")
def switch_language(code: str):
    if code not in ("ar", "en"):
        abort(404)
    session["lang"] = code
    target = request.referrer or url_for("web.home")
    # Only ever go back to a page of this site.
    if not target.startswith(request.host_url):
        target = url_for("web.home")
    return redirect(target)
