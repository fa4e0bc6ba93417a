"""Officer pages for incidents (issue 14): the directorate's incidents, declaring an outage,
and acting once for all of an incident's tickets; thin adapters to
feedback.services.incident_work."""

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in types-WTForms 3.2

from feedback.domain.incidents import TAKES_REPORTS, IncidentActionRefused, allowed_actions
from feedback.domain.lifecycle import MissingMessage
from feedback.domain.roles import CASEWORK_ROLES, READING_ROLES
from feedback.models import MAX_ROW_ID, row_id
from feedback.models.incidents import Incident
from feedback.officer.forms import (
    DeclareIncidentForm,
    IncidentActionForm,
    JoinIncidentForm,
    RemoveFromIncidentForm,
    TransferForm,
)
from feedback.services import casework, incident_work, response_templates
from feedback.services.casework import UnknownDirectorate
from feedback.services.errors import NotFound, Refused
from feedback.services.incidents import report_count
from feedback.services.queues import filter_choices
from feedback.web.labels import (
    incident_action_label,
    incident_event_label,
    incident_status_label,
)
from feedback.web.roles import role_required

bp = Blueprint("officer_incidents", __name__)

_Changed = TypeVar("_Changed")

# Why a change was refused (services.errors.Refused.reason), in words.
REFUSALS = {
    "unknown_category": _l("Choose a category."),
    "unknown_area": _l("Choose the areas of the outage."),
    "message_needed": _l("Write the public message, in Arabic or English."),
    "end_passed": _l("The expected end must be in the future."),
    "no_directorate": _l("No directorate is responsible for this category in these areas."),
    "not_your_directorate": _l(
        "Complaints of this category in these areas go to another directorate: only it can "
        "declare the outage."
    ),
    "not_in_incident": _l("This complaint is in no incident."),
    "already_in_incident": _l("This complaint is already in an incident."),
    "not_open": _l("Only an open complaint and an open incident can be joined or moved."),
    "other_directorate": _l("The complaint and the incident belong to different directorates."),
}


@bp.get("/officer/incidents")
@role_required(*READING_ROLES)
def index():
    return render_template(
        "officer/incidents.html",
        rows=incident_work.incidents_of(current_user),
        incident_status_label=incident_status_label,
    )


@bp.route("/officer/incidents/new", methods=["GET", "POST"])
@role_required(*CASEWORK_ROLES)
def declare():
    form = DeclareIncidentForm()
    choices = filter_choices(str(get_locale()))
    theirs = incident_work.declarable_categories(current_user)
    form.category.choices = [SelectChoice("", _("Choose a category…"))] + [
        SelectChoice(code, name)
        for code, name in choices.categories
        if theirs is None or code in theirs
    ]
    form.areas.choices = [SelectChoice(code, name) for code, name in choices.areas]
    if form.validate_on_submit():
        incident = _attempt(
            lambda: incident_work.declare(
                current_user,
                form.category.data,
                form.areas.data or [],
                form.expected_end_at(),
                form.message_ar.data or "",
                form.message_en.data or "",
            )
        )
        if incident is not None:
            return redirect(url_for(".page", incident_id=incident.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("officer/incident_new.html", form=form), status


@bp.get(f"/officer/incidents/<int(max={MAX_ROW_ID}):incident_id>")
@role_required(*READING_ROLES)
def page(incident_id: int):
    try:
        incident = incident_work.incident_to_read(current_user, incident_id)
    except NotFound:
        abort(404)
    return _incident_page(incident, IncidentActionForm())


@bp.post(f"/officer/incidents/<int(max={MAX_ROW_ID}):incident_id>/template")
@role_required(*CASEWORK_ROLES)
def use_template(incident_id: int):
    """Without JavaScript: the page again, both messages filled from the chosen template and
    the internal note kept, to edit before sending."""
    incident = _incident_or_404(incident_id)
    form = IncidentActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        picked = response_templates.template_for(incident, row_id(form.template.data or ""))
    except (NotFound, ValueError):
        flash(_("Choose a template first."), "error")
    else:
        form.message_ar.data, form.message_en.data = picked.body_ar, picked.body_en
    return _incident_page(incident, form)


def _incident_page(incident: Incident, action_form: IncidentActionForm) -> str:
    action_form.template.choices = [
        SelectChoice("", _("Choose a template…")),
        *(
            SelectChoice(
                str(t.id),
                t.title,
                render_kw={"data-body-ar": t.body_ar, "data-body-en": t.body_en},
            )
            for t in response_templates.templates_for(incident.directorate_id)
        ),
    ]
    transfer_form = TransferForm()
    transfer_form.directorate.choices = [
        SelectChoice("", _("Choose a directorate…")),  # never one picked by default
        *(
            SelectChoice(code, name)
            for code, name in filter_choices(str(get_locale())).directorates
            if incident.directorate is None or code != incident.directorate.code
        ),
    ]
    may_change = casework.may_work_on(current_user, incident)
    return render_template(
        "officer/incident.html",
        incident=incident,
        members=incident_work.members(incident),
        reports=report_count(incident),
        actions=allowed_actions(incident.status) if may_change else [],
        action_form=action_form,
        remove_form=RemoveFromIncidentForm() if may_change else None,
        transfer_form=transfer_form if may_change and incident.status in TAKES_REPORTS else None,
        incident_status_label=incident_status_label,
        incident_action_label=incident_action_label,
        incident_event_label=incident_event_label,
    )


@bp.post(f"/officer/incidents/<int(max={MAX_ROW_ID}):incident_id>/act/<action>")
@role_required(*CASEWORK_ROLES)
def act(incident_id: int, action: str):
    _incident_or_404(incident_id)
    form = IncidentActionForm()
    if not form.validate_on_submit():
        abort(400)
    _attempt(
        lambda: incident_work.act_on_incident(
            current_user,
            incident_id,
            action,
            form.message_ar.data or "",
            form.message_en.data or "",
            form.internal_note.data or "",
        )
    )
    return redirect(url_for(".page", incident_id=incident_id), 303)


@bp.post(f"/officer/incidents/<int(max={MAX_ROW_ID}):incident_id>/transfer")
@role_required(*CASEWORK_ROLES)
def transfer(incident_id: int):
    _incident_or_404(incident_id)
    form = TransferForm()
    form.directorate.choices = [SelectChoice(request.form.get("directorate", ""), "")]
    if not form.validate_on_submit():
        flash(_("Choose a directorate and give a reason."), "error")
        return redirect(url_for(".page", incident_id=incident_id), 303)
    moved = _attempt(
        lambda: incident_work.transfer_incident(
            current_user, incident_id, form.directorate.data, form.reason.data or ""
        )
    )
    if moved is not None and not casework.may_work_on(current_user, moved):
        return redirect(url_for(".index"), 303)
    return redirect(url_for(".page", incident_id=incident_id), 303)


@bp.post(f"/officer/incidents/<int(max={MAX_ROW_ID}):incident_id>/remove/<reference>")
@role_required(*CASEWORK_ROLES)
def remove_ticket(incident_id: int, reference: str):
    _incident_or_404(incident_id)
    form = RemoveFromIncidentForm()
    if not form.validate_on_submit():
        flash(_("Say why it is not the same problem."), "error")
    else:
        _attempt(
            lambda: incident_work.remove_ticket(
                current_user, incident_id, reference, form.reason.data or ""
            )
        )
    return redirect(url_for(".page", incident_id=incident_id), 303)


@bp.post("/officer/t/<reference>/incident")
@role_required(*CASEWORK_ROLES)
def join(reference: str):
    try:
        casework.ticket_for(current_user, reference)
    except NotFound:
        abort(404)  # another directorate's ticket does not exist for this officer
    form = JoinIncidentForm()
    form.incident.choices = [SelectChoice(request.form.get("incident", ""), "")]
    if not form.validate_on_submit():
        flash(_("Choose an incident."), "error")
    else:
        _attempt(lambda: incident_work.add_ticket(current_user, reference, form.incident.data))
    return redirect(url_for("officer.ticket", reference=reference), 303)


def _incident_or_404(incident_id: int):
    try:
        return incident_work.incident_for(current_user, incident_id)
    except NotFound:
        abort(404)


def _attempt(change: Callable[[], _Changed]) -> _Changed | None:
    """Run an incident change: its result, or None for a refused one, which is explained and
    has changed nothing."""
    try:
        changed = change()
    except NotFound:
        abort(404)
    except Refused as refusal:
        flash(str(REFUSALS.get(refusal.reason, refusal.reason)), "error")
        return None
    except IncidentActionRefused as refusal:
        if refusal.reason == "message":
            flash(_("Write the public message the reporters will receive first."), "error")
        else:
            flash(
                _(
                    "Not possible: the incident is %(status)s.",
                    status=incident_status_label(refusal.status),
                ),
                "error",
            )
        return None
    except MissingMessage:
        flash(_("Give a reason first."), "error")
        return None
    except UnknownDirectorate:
        flash(_("Choose another directorate."), "error")
        return None
    flash(_("Done."), "success")
    return changed
