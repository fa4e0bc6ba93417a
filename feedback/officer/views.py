"""Officer pages: thin adapters from HTTP to feedback.services.casework, .queues, .bulk and
.response_templates."""

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in types-WTForms 3.2

from feedback.domain.bulk import BulkAction, Misfit
from feedback.domain.channels import STAFF_CHANNELS, Channel
from feedback.domain.lifecycle import (
    ALLOWED,
    TARGET,
    Action,
    InvalidTransition,
    MissingMessage,
    Status,
    can_transfer,
)
from feedback.domain.phone import normalise_phone
from feedback.domain.roles import CASEWORK_ROLES, READING_ROLES, Role
from feedback.domain.sla import is_overdue
from feedback.models import Ticket, row_id, utcnow
from feedback.officer.forms import (
    ActionForm,
    AssignForm,
    BulkForm,
    CategoryChangeForm,
    JoinIncidentForm,
    NoteForm,
    QueueFilterForm,
    RecordForm,
    TransferForm,
)
from feedback.services import attachments, bulk, casework, response_templates
from feedback.services.errors import NotFound, Refused
from feedback.services.incident_work import incidents_to_join
from feedback.services.intake import StaffReport, record_staff_report
from feedback.services.queues import (
    Assignment,
    BadCursor,
    QueueFilter,
    filter_choices,
    officer_queue,
)
from feedback.services.tickets import receipt_sms
from feedback.web.attachments import attachment_response
from feedback.web.labels import channel_label, receipt_withheld_label, status_label
from feedback.web.roles import role_required

bp = Blueprint("officer", __name__, url_prefix="/officer")

# Why a bulk action was refused (feedback.services.bulk), and why it does not fit a ticket.
BULK_REFUSALS = {
    "nothing_selected": _l("Select at least one ticket."),
    "too_many": _l("Select at most %(limit)s tickets at once."),
    "unknown_directorate": _l("Choose the directorate to transfer to."),
    "unknown_incident": _l("Choose an open incident of your directorate."),
    "unknown_template": _l("That template is not one of these tickets' directorate."),
    "message_needed": _l("A transfer needs its reason: write it, or pick a template."),
    "no_message_for_incident": _l(
        "Adding to an incident texts nobody: leave the message and the template empty."
    ),
    "no_longer_fits": _l(
        "Nothing was changed: %(references)s changed meanwhile. Check them and try again."
    ),
}
MISFITS = {
    Misfit.STATUS: _l("Not possible in its status."),
    Misfit.SAME_DIRECTORATE: _l("It is that directorate's already."),
    Misfit.IN_THIS_INCIDENT: _l("It is in this incident already."),
    Misfit.IN_ANOTHER_INCIDENT: _l("It is in another incident (a ticket is in one at most)."),
    Misfit.OTHER_DIRECTORATE: _l("The incident is another directorate's."),
}


@bp.get("/")
@role_required(*READING_ROLES)
def queue():
    language = str(get_locale())
    form = QueueFilterForm(request.args)
    choices = filter_choices(language)
    form.status.choices = [SelectChoice("", _("Open"))] + [
        SelectChoice(status.value, status_label(status.value)) for status in Status
    ]
    form.category.choices = [SelectChoice("", _("All"))] + _choices(choices.categories)
    form.area.choices = [SelectChoice("", _("All"))] + _choices(choices.areas)
    form.directorate.choices = [SelectChoice("", _("All"))] + _choices(choices.directorates)
    form.validate()
    assignment = request.args.get("assigned")
    wanted = QueueFilter(
        assignment=Assignment(assignment) if assignment in set(Assignment) else None,
        status=form.status.data or None,
        category=form.category.data or None,
        area=form.area.data or None,
        overdue=bool(form.overdue.data),
        text=form.q.data or None,
        directorate_id=choices.directorate_ids.get(form.directorate.data),
    )
    try:
        page = officer_queue(current_user, wanted, request.args.get("after"))
    except BadCursor:
        abort(400)
    next_url = None
    if page.next_cursor:
        # Never one of url_for's own (_method, _external, _scheme, _anchor) from the visitor.
        carried = {name: value for name, value in request.args.items() if not name.startswith("_")}
        next_url = url_for("officer.queue", **{**carried, "after": page.next_cursor})
    return render_template(
        "officer/queue.html",
        form=form,
        bulk_form=_bulk_form(choices.directorates, wanted.directorate_id)
        if current_user.role in CASEWORK_ROLES
        else None,
        assignment=wanted.assignment,
        # The filter as it is, for the tabs' links: from the first page, whoever's tickets.
        tab_args={
            name: value
            for name, value in request.args.items()
            if name not in ("after", "assigned") and not name.startswith("_")
        },
        page=page,
        next_url=next_url,
        now=utcnow(),
        is_overdue=is_overdue,
    )


def _bulk_form(directorates: list[tuple[str, str]], directorate_id: int | None) -> BulkForm:
    """The queue's bulk form: the templates of the officer's directorate (an admin's: of the
    directorate the queue is filtered to) and the incidents they may add tickets to."""
    language = str(get_locale())
    form = BulkForm(formdata=None)
    form.template.choices = [
        SelectChoice("", _("No template")),
        *(
            SelectChoice(str(t.id), t.title)
            for t in response_templates.templates_for(current_user.directorate_id or directorate_id)
        ),
    ]
    form.directorate.choices = [
        SelectChoice("", _("Choose a directorate…")),
        *_choices(directorates),
    ]
    form.incident.choices = [
        SelectChoice("", _("Choose an incident…")),
        *(
            SelectChoice(
                str(incident.id),
                f"#{incident.id} · {incident.category.name(language)} · "
                + "، ".join(area.name(language) for area in incident.areas),
            )
            for incident in bulk.open_incidents(current_user)
        ),
    ]
    return form


@bp.post("/bulk")
@role_required(*CASEWORK_ROLES)
def bulk_review():
    """The one confirmation page: each selected ticket and what will happen to it, or why
    nothing will; only the tickets that fit are carried to the confirmation."""
    form = BulkForm()
    if not form.validate_on_submit():
        abort(400)
    plan = _bulk_attempt(lambda: bulk.plan_bulk(current_user, _bulk_request(form)))
    if plan is None:
        return redirect(url_for("officer.queue"), 303)
    language = str(get_locale())
    return render_template(
        "officer/bulk_confirm.html",
        plan=plan,
        form=form,
        action_label=next(c.label for c in form.action.choices if c.value == form.action.data),
        directorate=plan.directorate.name(language) if plan.directorate else None,
        misfits=MISFITS,
    )


@bp.post("/bulk/apply")
@role_required(*CASEWORK_ROLES)
def bulk_apply():
    form = BulkForm()
    if not form.validate_on_submit():
        abort(400)
    done = _bulk_attempt(lambda: bulk.apply_bulk(current_user, _bulk_request(form)))
    if done is not None:
        flash(_("Done: %(count)s tickets changed.", count=len(done.rows)), "success")
    return redirect(url_for("officer.queue"), 303)


def _bulk_request(form: BulkForm) -> bulk.BulkRequest:
    return bulk.BulkRequest(
        action=BulkAction(form.action.data),
        references=tuple(form.ticket.data or ()),
        public_message=form.public_message.data or "",
        template_id=_id_or_none(form.template.data),
        directorate_code=form.directorate.data or None,
        incident_id=_id_or_none(form.incident.data),
    )


def _id_or_none(text: str | None) -> int | None:
    """A chosen row's id; 0 (which names no row) for anything that cannot be one."""
    if not text:
        return None
    try:
        return row_id(text)
    except ValueError:
        return 0


def _bulk_attempt(change: Callable[[], bulk.BulkPlan]) -> bulk.BulkPlan | None:
    """A bulk plan or change; None for a refused one, which is explained."""
    try:
        return change()
    except NotFound:
        abort(404)  # one of the tickets is not this officer's: as for a single ticket
    except Refused as error:
        flash(str(BULK_REFUSALS.get(error.reason, error.reason)) % error.params, "error")
        return None


@bp.get("/t/<reference>")
@role_required(*READING_ROLES)
def ticket(reference: str):
    return _ticket_page(_ticket_or_404(reference), ActionForm())


@bp.post("/t/<reference>/template")
@role_required(*CASEWORK_ROLES)
def use_template(reference: str):
    """Without JavaScript: the page again, its public message filled from the chosen template
    in the ticket's language and the officer's internal note kept, to edit before sending."""
    found = _ticket_or_404(reference)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        picked = response_templates.template_for(found, row_id(form.template.data or ""))
    except (NotFound, ValueError):
        flash(_("Choose a template first."), "error")
    else:
        form.public_message.data = picked.body(found.language)
    return _ticket_page(found, form)


def _ticket_page(found: Ticket, action_form: ActionForm) -> str:
    """The ticket with the forms of what this user may do to it: all of them for its
    directorate's officers and managers (and admins), the note alone for the governorate."""
    may_change = casework.may_work_on(current_user, found)
    choices = filter_choices(str(get_locale()))
    transfer_form = TransferForm()
    transfer_form.directorate.choices = [
        SelectChoice(code, name)
        for code, name in choices.directorates
        if found.directorate is None or code != found.directorate.code
    ]
    category_form = CategoryChangeForm()
    category_form.category.choices = [
        SelectChoice("", _("Choose a category…")),
        *(
            SelectChoice(code, name)
            for code, name in choices.categories
            if found.category is None or code != found.category.code
        ),
    ]
    action_form.template.choices = [
        SelectChoice("", _("Choose a template…")),
        *(
            SelectChoice(str(t.id), t.title, render_kw={"data-body": t.body(found.language)})
            for t in response_templates.templates_for(found.directorate_id)
        ),
    ]
    actions = [a for a in Action if TARGET[a] in ALLOWED[Status(found.status)]]
    assign_form = None
    if may_change and current_user.role in (Role.MANAGER, Role.ADMIN):
        assign_form = AssignForm(officer=str(found.assigned_to_id or ""))
        assign_form.officer.choices = [
            SelectChoice("", _("Nobody: the shared queue")),
            *(SelectChoice(str(o.id), o.name) for o in casework.officers_of(found.directorate_id)),
        ]
    join_form = JoinIncidentForm()
    join_form.incident.choices = [
        SelectChoice(
            incident.id,
            _(
                "Incident %(number)s: %(areas)s",
                number=incident.id,
                areas=", ".join(area.name(str(get_locale())) for area in incident.areas),
            ),
        )
        for incident in incidents_to_join(current_user, found)
    ]
    return render_template(
        "officer/ticket.html",
        ticket=found,
        actions=actions if may_change else [],
        action_form=action_form,
        transfer_form=transfer_form if may_change and can_transfer(found.status) else None,
        category_form=category_form if may_change and can_transfer(found.status) else None,
        assign_form=assign_form,
        note_form=NoteForm(),
        join_form=join_form if may_change and join_form.incident.choices else None,
        now=utcnow(),
        is_overdue=is_overdue,
        attachments=attachments.attachments_for_staff(found),
    )


@bp.get("/t/<reference>/attachments/<int:attachment_id>")
@role_required(*READING_ROLES)
def attachment(reference: str, attachment_id: int):
    """A photo or voice note, for whoever may read its ticket (404 for anyone else)."""
    try:
        found, content = attachments.staff_attachment(current_user, reference, attachment_id)
    except NotFound:
        abort(404)
    return attachment_response(found, content, public=False)


@bp.post("/t/<reference>/act/<action>")
@role_required(*CASEWORK_ROLES)
def act(reference: str, action: str):
    _ticket_or_404(reference)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    _attempt(
        lambda: casework.act(
            current_user, reference, action, form.public_message.data, form.internal_note.data
        )
    )
    return redirect(url_for("officer.ticket", reference=reference), 303)


@bp.post("/t/<reference>/transfer")
@role_required(*CASEWORK_ROLES)
def transfer(reference: str):
    _ticket_or_404(reference)  # another directorate's ticket does not exist for this officer
    form = TransferForm()
    form.directorate.choices = [SelectChoice(request.form.get("directorate", ""), "")]
    if not form.validate_on_submit():
        flash(_("Choose a directorate and give a reason."), "error")
        return redirect(url_for("officer.ticket", reference=reference), 303)
    done = _attempt(
        lambda: casework.transfer(
            current_user, reference, form.directorate.data, form.reason.data or ""
        )
    )
    return _back_after_moving(reference, done)


@bp.post("/t/<reference>/category")
@role_required(*CASEWORK_ROLES)
def change_category(reference: str):
    _ticket_or_404(reference)
    form = CategoryChangeForm()
    form.category.choices = [SelectChoice(request.form.get("category", ""), "")]
    if not form.validate_on_submit():
        flash(_("Choose a category and give a reason."), "error")
        return redirect(url_for("officer.ticket", reference=reference), 303)
    changed = _attempt(
        lambda: casework.change_category(
            current_user, reference, form.category.data, form.reason.data or ""
        )
    )
    return _back_after_moving(reference, changed)


def _back_after_moving(reference: str, ticket: Ticket | None):
    """Back to the ticket, or to the queue when it has become another directorate's work."""
    if ticket is not None and not casework.may_work_on(current_user, ticket):
        return redirect(url_for("officer.queue"), 303)
    return redirect(url_for("officer.ticket", reference=reference), 303)


@bp.post("/t/<reference>/note")
@role_required(*READING_ROLES)
def note(reference: str):
    _ticket_or_404(reference)
    form = NoteForm()
    if not form.validate_on_submit():
        flash(_("Write the note first."), "error")
    else:
        _attempt(lambda: casework.add_note(current_user, reference, form.note.data or ""))
    return redirect(url_for("officer.ticket", reference=reference), 303)


@bp.post("/t/<reference>/assign")
@role_required(Role.MANAGER, Role.ADMIN)
def assign(reference: str):
    """A manager gives the ticket to one of the directorate's officers, or back to nobody."""
    _ticket_or_404(reference)
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        officer_id = row_id(form.officer.data) if form.officer.data else None
    except ValueError:
        officer_id = 0  # names nobody: refused below as any unknown officer is
    _attempt(lambda: casework.assign(current_user, reference, officer_id))
    return redirect(url_for("officer.ticket", reference=reference), 303)


@bp.route("/record", methods=["GET", "POST"])
@role_required(*CASEWORK_ROLES)
def record():
    """A walk-in or a call, typed in for the citizen; the reference is shown here, since the
    ticket may be another directorate's."""
    language = str(get_locale())
    form = RecordForm()
    form.channel.choices = [SelectChoice(c.value, channel_label(c)) for c in STAFF_CHANNELS]
    form.area.choices = [SelectChoice("", _("Read it from the complaint"))] + _choices(
        filter_choices(language).areas
    )
    if form.validate_on_submit():
        ticket = record_staff_report(
            StaffReport(
                description=form.description.data.strip(),
                channel=Channel(form.channel.data),
                recorded_by=current_user._get_current_object(),
                phone=normalise_phone(form.phone.data) if form.phone.data else None,
                name=form.name.data.strip() or None,
                area_code=form.area.data or None,
            )
        )
        _flash_recorded(ticket, language)
        return redirect(url_for("officer.record"))
    return render_template("officer/record.html", form=form), 400 if form.errors else 200


def _flash_recorded(ticket: Ticket, language: str) -> None:
    """The reference to tell the citizen, where it went, and whether an SMS tells them too."""
    where = ticket.directorate.name(language) if ticket.directorate else _("triage")
    flash(_("Recorded as %(reference)s, sent to %(where)s.", reference=ticket.reference,
            where=where), "success")  # fmt: skip
    receipt = receipt_sms(ticket.reference)
    if receipt is not None and receipt.withheld:
        flash(receipt_withheld_label(receipt.withheld, ticket.reference), "error")
    elif receipt is not None:
        flash(_("The citizen gets the reference by SMS."), "success")


def _ticket_or_404(reference: str):
    try:
        return casework.ticket_to_read(current_user, reference)
    except NotFound:
        abort(404)


def _attempt(change: Callable[[], Ticket]) -> Ticket | None:
    """Run a casework change: the ticket changed, or None for a refused one, which is
    explained and has changed nothing."""
    try:
        ticket = change()
    except NotFound:
        abort(404)
    except InvalidTransition as error:
        flash(
            _(
                "Not possible: a ticket that is %(status)s cannot become %(target)s.",
                status=status_label(error.current),
                target=status_label(error.target),
            ),
            "error",
        )
        return None
    except MissingMessage:
        flash(_("Write the message the citizen will receive first."), "error")
        return None
    except casework.UnknownDirectorate:
        flash(_("Choose another directorate."), "error")
        return None
    except casework.UnknownCategory:
        flash(_("Choose another category."), "error")
        return None
    except casework.UnknownOfficer:
        flash(_("Choose an officer of this directorate."), "error")
        return None
    flash(_("Done."), "success")
    return ticket


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(code, name) for code, name in pairs]
