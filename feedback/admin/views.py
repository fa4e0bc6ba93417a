"""Admin pages: thin adapters from HTTP to the admin's use cases (feedback.services: triage,
accounts, phones for the block list, reference_changes, corrections for suggested keywords).

A refused change comes back as feedback.services.errors.Refused and is shown next to the field it
concerns, with status 400; a successful one redirects (303) with a flash."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in types-WTForms 3.2

from feedback.admin.forms import (
    AreaForm,
    BlockForm,
    CategoryForm,
    ConfirmForm,
    DirectorateForm,
    KeywordForm,
    NewCategoryForm,
    NewDirectorateForm,
    ResponseTemplateForm,
    RuleDirectorateForm,
    RuleForm,
    TriageForm,
    UserForm,
    area_form_data,
    category_form_data,
    role_choices,
    split_lines,
)
from feedback.domain.phone import normalise_phone
from feedback.domain.roles import Role
from feedback.models import utcnow
from feedback.services import accounts, corrections, phones
from feedback.services import reference_changes as reference
from feedback.services import response_templates as templates
from feedback.services import triage as work
from feedback.services.accounts import AccountError
from feedback.services.errors import NotFound, Refused
from feedback.web.roles import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

# How each refusal reads; %(name)s placeholders are filled from Refused.params.
REFUSALS = {
    "unknown_directorate": _l("Choose a directorate from the list."),
    "unknown_category": _l("Choose a category from the list."),
    "unknown_area": _l("Choose an area from the list."),
    "unknown_group": _l("Choose a group from the list."),
    "username_taken": _l("This username is taken already."),
    "deactivate_self": _l("You cannot deactivate your own account."),
    "admin_moderates": _l("An administrator moderates already, by role."),
    "moderator_inactive": _l("Activate the account first."),
    "code_taken": _l("This code is taken already."),
    "sla_out_of_range": _l("Between %(low)s and %(high)s hours."),
    "keyword_taken": _l(
        "“%(word)s” is already a keyword of the category %(category)s; "
        "a keyword belongs to one category only."
    ),
    "point_incomplete": _l("Give both latitude and longitude, or neither."),
    "lat_outside": _l("Latitude must be between %(low)s and %(high)s (Basra)."),
    "lon_outside": _l("Longitude must be between %(low)s and %(high)s (Basra)."),
    "parent_loop": _l("An area cannot lie inside itself or inside one of its own parts."),
    "already_blocked": _l("This number is already blocked."),
    "duplicate_rule": _l(
        "There is a rule for this category and area already; change its directorate instead."
    ),
}


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    return render_template("admin/index.html", counts=work.overview(), now=utcnow())


# ---------------------------------------------------------------- triage


@bp.get("/triage")
@role_required(Role.ADMIN)
def triage():
    return _triage_page()


@bp.post("/triage/<reference>")
@role_required(Role.ADMIN)
def assign(reference: str):
    form = _triage_form()
    if form.validate_on_submit():
        try:
            ticket = work.assign_from_triage(
                current_user, reference, form.directorate.data, form.category.data or None
            )
        except NotFound:
            flash(_("That ticket is no longer waiting in triage."), "error")
            return redirect(url_for("admin.triage"), 303)
        except Refused as error:
            _show_refusal(form, error)
        else:
            assert ticket.directorate is not None  # just assigned
            flash(
                _(
                    "%(reference)s was sent to %(directorate)s.",
                    reference=ticket.reference,
                    directorate=ticket.directorate.name(_language()),
                ),
                "success",
            )
            return redirect(url_for("admin.triage"), 303)
    return _triage_page(form, reference.upper()), 400


def _triage_form(**kwargs) -> TriageForm:
    form = TriageForm(**kwargs)
    form.directorate.choices = [
        SelectChoice("", _("Choose a directorate…")),
        *_directorate_choices(),
    ]
    form.category.choices = [SelectChoice("", _("Keep the category")), *_category_choices()]
    return form


def _triage_page(failed_form: TriageForm | None = None, failed: str | None = None) -> str:
    """Every row gets a blank form, but the row whose assignment failed shows its errors."""
    return render_template(
        "admin/triage.html",
        tickets=work.triage_queue(),
        form=_triage_form(formdata=None),
        failed_form=failed_form,
        failed=failed,
    )


# ---------------------------------------------------------------- SMS not sent


@bp.get("/sms")
@role_required(Role.ADMIN)
def sms():
    return render_template("admin/sms.html", rows=work.sms_not_sent(), now=utcnow())


@bp.post("/sms/<int:outbox_id>/retry")
@role_required(Role.ADMIN)
def retry_sms(outbox_id: int):
    try:
        work.send_again(outbox_id)
    except NotFound:
        abort(404)
    flash(_("The SMS will be sent again."), "success")
    return redirect(url_for("admin.sms"), 303)


# ---------------------------------------------------------------- block list


@bp.route("/numbers", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def numbers():
    form = BlockForm()
    if form.validate_on_submit():
        number = normalise_phone(form.number.data)
        try:
            blocked = phones.block_number(current_user, number, form.reason.data)
        except Refused as error:
            _show_refusal(form, error)
        else:
            flash(_("%(number)s is blocked.", number=blocked.number), "success")
            return redirect(url_for("admin.numbers"), 303)
    page = render_template("admin/numbers.html", blocks=phones.list_blocks(), form=form)
    return _status(page, form)


@bp.post("/numbers/<int:block_id>/unblock")
@role_required(Role.ADMIN)
def unblock_number(block_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        block = phones.unblock_number(current_user, block_id)
    except NotFound:
        abort(404)
    flash(_("%(number)s is no longer blocked.", number=block.number), "success")
    return redirect(url_for("admin.numbers"), 303)


# ---------------------------------------------------------------- users


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def users():
    form = UserForm()
    form.role.choices = [SelectChoice("", _("Choose a role…")), *role_choices()]
    form.directorate.choices = [SelectChoice("", "—"), *_directorate_choices()]
    if form.validate_on_submit():
        try:
            user = accounts.create_staff_user(
                accounts.NewUser(
                    username=form.username.data,
                    name=form.name.data,
                    role=form.role.data,
                    password=form.password.data,
                    directorate_code=form.directorate.data or None,
                    organisation=form.organisation.data,
                    phone=form.phone.data,
                    email=form.email.data,
                )
            )
        except Refused as error:
            _show_refusal(form, error)
        except AccountError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Account %(username)s created.", username=user.username), "success")
            return redirect(url_for("admin.users"), 303)
    return _status(
        render_template(
            "admin/users.html",
            users=accounts.list_users(),
            form=form,
            role_names={choice.value: choice.label for choice in role_choices()},
        ),
        form,
    )


@bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/activate")
@role_required(Role.ADMIN)
def activate_user(user_id: int):
    return _set_active(user_id, True)


@bp.post("/users/<int:user_id>/sign-out")
@role_required(Role.ADMIN)
def sign_out_user(user_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        user = accounts.sign_out_everywhere(current_user, user_id)
    except NotFound:
        abort(404)
    flash(_("%(username)s is signed out everywhere.", username=user.username), "success")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/moderator")
@role_required(Role.ADMIN)
def make_moderator(user_id: int):
    return _set_moderator(user_id, True)


@bp.post("/users/<int:user_id>/not-moderator")
@role_required(Role.ADMIN)
def unmake_moderator(user_id: int):
    return _set_moderator(user_id, False)


def _set_moderator(user_id: int, moderator: bool):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        user = accounts.set_moderator(current_user, user_id, moderator)
    except NotFound:
        abort(404)
    except Refused as error:
        flash(_refusal_text(error), "error")
    else:
        if moderator:
            flash(_("%(username)s may now moderate.", username=user.username), "success")
        else:
            flash(_("%(username)s no longer moderates.", username=user.username), "success")
    return redirect(url_for("admin.users"), 303)


def _set_active(user_id: int, active: bool):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        user = accounts.set_user_active(current_user, user_id, active)
    except NotFound:
        abort(404)
    except Refused as error:
        flash(_refusal_text(error), "error")
    else:
        if active:
            flash(_("%(username)s can log in again.", username=user.username), "success")
        else:
            flash(_("%(username)s can no longer log in.", username=user.username), "success")
    return redirect(url_for("admin.users"), 303)


# ---------------------------------------------------------------- directorates


@bp.route("/directorates", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def directorates():
    form = NewDirectorateForm()
    if form.validate_on_submit():
        try:
            created = reference.create_directorate(form.code.data, _directorate_change(form))
        except Refused as error:
            _show_refusal(form, error)
        else:
            flash(_("Directorate %(code)s created.", code=created.code), "success")
            return redirect(url_for("admin.directorates"), 303)
    page = render_template(
        "admin/directorates.html", directorates=reference.list_directorates(), form=form
    )
    return _status(page, form)


@bp.route("/directorates/<code>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_directorate(code: str):
    found = _or_404(reference.find_directorate, code)
    form = DirectorateForm(obj=found)
    if form.validate_on_submit():
        reference.update_directorate(code, _directorate_change(form))
        flash(_("Saved."), "success")
        return redirect(url_for("admin.directorates"), 303)
    page = render_template("admin/directorate_edit.html", directorate=found, form=form)
    return _status(page, form)


def _directorate_change(form) -> reference.DirectorateChange:
    return reference.DirectorateChange(
        name_ar=form.name_ar.data,
        name_en=form.name_en.data,
        description_en=form.description_en.data or "",
    )


# ---------------------------------------------------------------- categories


@bp.get("/categories")
@role_required(Role.ADMIN)
def categories():
    return render_template("admin/categories.html", categories=reference.list_categories())


@bp.route("/categories/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_category():
    form = NewCategoryForm(data={"active": True, "sla_hours": 72})
    if form.validate_on_submit():
        try:
            created = reference.create_category(
                form.code.data, form.group.data, _category_change(form)
            )
        except Refused as error:
            _show_refusal(form, error)
        else:
            flash(_("Category %(code)s created.", code=created.code), "success")
            return redirect(url_for("admin.categories"), 303)
    return _status(render_template("admin/category_edit.html", category=None, form=form), form)


@bp.route("/categories/<code>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_category(code: str):
    found = _or_404(reference.find_category, code)
    form = CategoryForm(data=category_form_data(found))
    if form.validate_on_submit():
        try:
            reference.update_category(code, _category_change(form))
        except Refused as error:
            _show_refusal(form, error)
        else:
            flash(_("Saved. New messages are read with the new keywords."), "success")
            return redirect(url_for("admin.categories"), 303)
    page = render_template(
        "admin/category_edit.html",
        category=found,
        form=form,
        suggestions=corrections.suggested_keywords(code),
    )
    return _status(page, form)


@bp.post("/categories/<code>/keywords")
@role_required(Role.ADMIN)
def accept_keyword(code: str):
    """A keyword suggested by officers' corrections, accepted: only now does it change how
    messages are read and routed."""
    form = KeywordForm()
    if not form.validate_on_submit():
        abort(400)
    word = (form.word.data or "").strip()
    try:
        reference.add_keyword(code, word)
    except NotFound:
        abort(404)
    except Refused as error:
        flash(_refusal_text(error), "error")
    else:
        flash(
            _("“%(word)s” is a keyword now; new messages are read with it.", word=word), "success"
        )
    return redirect(url_for("admin.edit_category", code=code), 303)


@bp.post("/categories/<code>/keywords/dismiss")
@role_required(Role.ADMIN)
def dismiss_keyword(code: str):
    """A suggested word that is no keyword of this category: not offered again."""
    form = KeywordForm()
    if not form.validate_on_submit():
        abort(400)
    word = (form.word.data or "").strip()
    try:
        reference.dismiss_suggestion(code, word)
    except NotFound:
        abort(404)
    flash(_("“%(word)s” will not be suggested again for this category.", word=word), "success")
    return redirect(url_for("admin.edit_category", code=code), 303)


def _category_change(form: CategoryForm) -> reference.CategoryChange:
    return reference.CategoryChange(
        name_ar=form.name_ar.data or "",  # each required: never empty once validated
        name_en=form.name_en.data or "",
        sla_hours=form.sla_hours.data or 0,
        active=bool(form.active.data),
        keywords=form.keywords(),
    )


# ---------------------------------------------------------------- areas


@bp.get("/areas")
@role_required(Role.ADMIN)
def areas():
    return render_template("admin/areas.html", areas=reference.list_areas())


@bp.route("/areas/<code>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_area(code: str):
    found = _or_404(reference.find_area, code)
    form = AreaForm(data=area_form_data(found))
    form.parent.choices = [SelectChoice("", "—"), *_area_choices(reference.parent_choices(code))]
    if form.validate_on_submit():
        change = reference.AreaChange(
            name_ar=form.name_ar.data or "",  # required: never empty once validated
            name_en=form.name_en.data or "",
            alt_names=tuple(split_lines(form.alt_names.data)),
            lat=form.lat.data,
            lon=form.lon.data,
            parent_code=form.parent.data or None,
        )
        try:
            reference.update_area(code, change)
        except Refused as error:
            _show_refusal(form, error)
        else:
            flash(_("Saved. Messages are located with the new names from now on."), "success")
            return redirect(url_for("admin.areas"), 303)
    return _status(render_template("admin/area_edit.html", area=found, form=form), form)


# ---------------------------------------------------------------- routing rules


@bp.route("/rules", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def rules():
    form = RuleForm()
    form.category.choices = [
        SelectChoice("", _("Choose a category…")),
        *_category_choices(everyone=True),
    ]
    form.area.choices = [
        SelectChoice("", _("Anywhere in Basra")),
        *_area_choices(reference.list_areas()),
    ]
    form.directorate.choices = [
        SelectChoice("", _("Choose a directorate…")),
        *_directorate_choices(),
    ]
    if form.validate_on_submit():
        try:
            reference.add_rule(form.category.data, form.area.data or None, form.directorate.data)
        except Refused as error:
            _show_refusal(form, error)
        else:
            flash(_("Rule added. New messages are routed by it."), "success")
            return redirect(url_for("admin.rules"), 303)
    page = render_template(
        "admin/rules.html",
        rules=reference.list_rules(),
        form=form,
        directorate_choices=_directorate_choices(),
    )
    return _status(page, form)


@bp.post("/rules/<int:rule_id>/directorate")
@role_required(Role.ADMIN)
def change_rule(rule_id: int):
    form = RuleDirectorateForm()
    form.directorate.choices = _directorate_choices()
    if not form.validate_on_submit():
        flash(_refusal_text(Refused("directorate", "unknown_directorate")), "error")
        return redirect(url_for("admin.rules"), 303)
    try:
        reference.change_rule(rule_id, form.directorate.data)
    except NotFound:
        abort(404)
    flash(_("Rule changed."), "success")
    return redirect(url_for("admin.rules"), 303)


@bp.post("/rules/<int:rule_id>/delete")
@role_required(Role.ADMIN)
def delete_rule(rule_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        reference.delete_rule(rule_id)
    except NotFound:
        abort(404)
    flash(_("Rule deleted."), "success")
    return redirect(url_for("admin.rules"), 303)


# ---------------------------------------------------------------- response templates


@bp.route("/templates", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def response_templates():
    form = _template_form()
    if form.validate_on_submit():
        try:
            templates.create_template(_template_change(form))
        except Refused as error:
            _show_refusal(form, error)
        else:
            flash(_("Template created; officers of its directorate can pick it."), "success")
            return redirect(url_for("admin.response_templates"), 303)
    page = render_template(
        "admin/response_templates.html", templates=templates.list_templates(), form=form
    )
    return _status(page, form)


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_response_template(template_id: int):
    found = _or_404(templates.find_template, template_id)
    form = _template_form(
        data={
            "directorate": found.directorate.code,
            "title": found.title,
            "body_ar": found.body_ar,
            "body_en": found.body_en,
        }
    )
    if form.validate_on_submit():
        try:
            templates.update_template(template_id, _template_change(form))
        except Refused as error:
            _show_refusal(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.response_templates"), 303)
    page = render_template("admin/response_template_edit.html", template=found, form=form)
    return _status(page, form)


@bp.post("/templates/<int:template_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate_response_template(template_id: int):
    return _set_template_active(template_id, False)


@bp.post("/templates/<int:template_id>/activate")
@role_required(Role.ADMIN)
def activate_response_template(template_id: int):
    return _set_template_active(template_id, True)


def _set_template_active(template_id: int, active: bool):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        found = templates.set_template_active(template_id, active)
    except NotFound:
        abort(404)
    if active:
        flash(_("“%(title)s” is offered to officers again.", title=found.title), "success")
    else:
        flash(_("“%(title)s” is no longer offered to officers.", title=found.title), "success")
    return redirect(url_for("admin.response_templates"), 303)


def _template_form(**kwargs) -> ResponseTemplateForm:
    form = ResponseTemplateForm(**kwargs)
    form.directorate.choices = [
        SelectChoice("", _("Choose a directorate…")),
        *_directorate_choices(),
    ]
    return form


def _template_change(form: ResponseTemplateForm) -> templates.TemplateChange:
    return templates.TemplateChange(
        directorate_code=form.directorate.data or "",  # each required: never empty once valid
        title=form.title.data or "",
        body_ar=form.body_ar.data or "",
        body_en=form.body_en.data or "",
    )


# ---------------------------------------------------------------- helpers


def _language() -> str:
    return str(get_locale() or "ar")


def _directorate_choices() -> list[SelectChoice]:
    language = _language()
    return [SelectChoice(d.code, d.name(language)) for d in reference.list_directorates()]


def _category_choices(everyone: bool = False) -> list[SelectChoice]:
    language = _language()
    return [
        SelectChoice(c.code, c.name(language))
        for c in reference.list_categories()
        if everyone or c.active
    ]


def _area_choices(areas) -> list[SelectChoice]:
    """Areas grouped by kind (district, sub-district, neighbourhood ...)."""
    language = _language()
    return [SelectChoice(a.code, a.name(language), optgroup=a.kind) for a in areas]


def _or_404(find, key):
    try:
        return find(key)
    except NotFound:
        abort(404)


def _refusal_text(error: Refused) -> str:
    text = REFUSALS.get(error.reason)
    return str(text) % error.params if text is not None else error.reason


def _show_refusal(form, error: Refused) -> None:
    """Put the refusal next to the field it concerns, or above the form."""
    field = form[error.field] if error.field and error.field in form else None
    if field is None:
        form.form_errors.append(_refusal_text(error))
    else:
        field.errors = [*field.errors, _refusal_text(error)]


def _status(page: str, form) -> tuple[str, int]:
    return page, 400 if form.errors else 200
