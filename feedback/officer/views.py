"""Officer pages: thin adapters from HTTP to feedback.services.casework and .queues."""

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in types-WTForms 3.2

from feedback.domain.lifecycle import (
    ALLOWED,
    TARGET,
    Action,
    InvalidTransition,
    MissingMessage,
    Status,
    can_transfer,
)
from feedback.domain.roles import Role
from feedback.domain.sla import is_overdue
from feedback.models import Ticket, row_id, utcnow
from feedback.officer.forms import (
    ActionForm,
    CategoryChangeForm,
    NoteForm,
    QueueFilterForm,
    TransferForm,
)
from feedback.services import casework, response_templates
from feedback.services.errors import NotFound
from feedback.services.queues import BadCursor, QueueFilter, filter_choices, officer_queue
from feedback.web.labels import status_label
from feedback.web.roles import role_required

bp = Blueprint("officer", __name__, url_prefix="/officer")


@bp.get("/")
@role_required(Role.OFFICER, Role.ADMIN)
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
    wanted = QueueFilter(
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
        page=page,
        next_url=next_url,
        now=utcnow(),
        is_overdue=is_overdue,
    )


@bp.get("/t/<reference>")
@role_required(Role.OFFICER, Role.ADMIN)
def ticket(reference: str):
    return _ticket_page(_ticket_or_404(reference), ActionForm())


@bp.post("/t/<reference>/template")
@role_required(Role.OFFICER, Role.ADMIN)
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
    return render_template(
        "officer/ticket.html",
        ticket=found,
        actions=actions,
        action_form=action_form,
        transfer_form=transfer_form if can_transfer(found.status) else None,
        category_form=category_form if can_transfer(found.status) else None,
        note_form=NoteForm(),
        now=utcnow(),
        is_overdue=is_overdue,
    )


@bp.post("/t/<reference>/act/<action>")
@role_required(Role.OFFICER, Role.ADMIN)
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
@role_required(Role.OFFICER, Role.ADMIN)
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
@role_required(Role.OFFICER, Role.ADMIN)
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
@role_required(Role.OFFICER, Role.ADMIN)
def note(reference: str):
    _ticket_or_404(reference)
    form = NoteForm()
    if not form.validate_on_submit():
        flash(_("Write the note first."), "error")
    else:
        _attempt(lambda: casework.add_note(current_user, reference, form.note.data or ""))
    return redirect(url_for("officer.ticket", reference=reference), 303)


def _ticket_or_404(reference: str):
    try:
        return casework.ticket_for(current_user, reference)
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
    flash(_("Done."), "success")
    return ticket


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(code, name) for code, name in pairs]
