"""Forms for the admin pages: they check shape (required, length, number, code syntax); the
rules about the data itself live in the services (feedback.services.reference_changes, accounts)."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: new in WTForms 3.3
    BooleanField,
    EmailField,
    FloatField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from feedback.domain.phone import normalise_phone
from feedback.domain.roles import DIRECTORATE_ROLES, Role
from feedback.services.accounts import ROLES
from feedback.services.reference_changes import CATEGORY_GROUPS, KEYWORD_LISTS, SLA_HOURS

CODE = Regexp(
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    message=_l("Lower-case Latin letters, digits and single hyphens, e.g. water-supply."),
)
_LIST_SEPARATORS = re.compile(r"[\n,،]")


def split_list(text: str | None, separators: re.Pattern = _LIST_SEPARATORS) -> list[str]:
    """A textarea's items: split on commas (Latin or Arabic) and new lines, blanks dropped."""
    return [item.strip() for item in separators.split(text or "") if item.strip()]


def split_lines(text: str | None) -> list[str]:
    return split_list(text, re.compile(r"\n"))


def join_lines(items) -> str:
    return "\n".join(items or ())


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class KeywordForm(FlaskForm):
    """A suggested keyword an admin accepts (a button: the word travels hidden)."""

    word = StringField(_l("Keyword"), validators=[DataRequired(), Length(max=200)])


class BlockForm(FlaskForm):
    number = StringField(_l("Phone number"), validators=[DataRequired(), Length(max=40)])
    reason = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=1000)])

    def validate_number(self, field):
        if normalise_phone(field.data) is None:
            raise ValidationError(_l("This is not a valid phone number, e.g. 0780 123 4567."))


class TriageForm(FlaskForm):
    directorate = SelectField(_l("Directorate"), validators=[DataRequired()])
    category = SelectField(_l("Category"), validators=[Optional()])


class UserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=2, max=80),
            Regexp(
                r"^[A-Za-z0-9._-]+$",
                message=_l("Latin letters, digits, dots, hyphens and underscores only."),
            ),
        ],
    )
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired()])
    directorate = SelectField(_l("Directorate (officers, managers)"), validators=[Optional()])
    organisation = StringField(
        _l("Organisation (monitors)"), validators=[Optional(), Length(max=200)]
    )
    phone = StringField(
        _l("Staff phone (managers, governorate: the daily escalation digest by SMS)"),
        validators=[Optional(), Length(max=40)],
    )
    email = EmailField(
        _l("Email (managers, governorate: the daily escalation digest)"),
        validators=[Optional(), Length(max=254)],
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(min=10, max=200, message=_l("At least 10 characters."))],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.role.data in DIRECTORATE_ROLES and not self.directorate.data:
            self.directorate.errors = [
                *self.directorate.errors,
                _l("An officer or a manager belongs to a directorate."),
            ]
            valid = False
        if (self.phone.data or "").strip() and normalise_phone(self.phone.data or "") is None:
            self.phone.errors = [*self.phone.errors, _l("Not a phone number.")]
            valid = False
        if self.role.data == Role.MONITOR and not (self.organisation.data or "").strip():
            self.organisation.errors = [
                *self.organisation.errors,
                _l("A monitor belongs to an organisation."),
            ]
            valid = False
        return valid


def role_choices() -> list[SelectChoice]:
    names: dict[str, object] = {
        Role.ADMIN: _l("Administrator"),
        Role.OFFICER: _l("Officer"),
        Role.MANAGER: _l("Manager (directorate head)"),
        Role.GOVERNORATE: _l("Governor's office"),
        Role.MONITOR: _l("Monitor"),
    }
    return [SelectChoice(role, names.get(role, role)) for role in ROLES]


class DirectorateForm(FlaskForm):
    name_ar = StringField(_l("Name in Arabic"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)])
    description_en = TextAreaField(
        _l("Description in English"), validators=[Optional(), Length(max=2000)]
    )


class NewDirectorateForm(DirectorateForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(min=2, max=40), CODE])


class CategoryForm(FlaskForm):
    name_ar = StringField(_l("Name in Arabic"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)])
    sla_hours = IntegerField(
        _l("Hours to resolve (SLA)"),
        validators=[
            InputRequired(_l("A whole number of hours.")),
            NumberRange(
                *SLA_HOURS,
                message=_l("Between %(min)s and %(max)s hours."),
            ),
        ],
    )
    active = BooleanField(_l("Active (citizens can choose it; the SMS parser knows it)"))
    keywords_ar = TextAreaField(_l("Arabic keywords"), validators=[Length(max=20000)])
    keywords_en = TextAreaField(_l("English keywords"), validators=[Length(max=20000)])
    keywords_arabizi = TextAreaField(
        _l("Arabizi keywords (Latin letters, digits for sounds)"), validators=[Length(max=20000)]
    )
    keywords_subjects = TextAreaField(
        _l("Subject words (name the service, count half)"), validators=[Length(max=20000)]
    )
    keywords_generic = TextAreaField(
        _l("Generic words (cut, broken, smell: count only when the service is named)"),
        validators=[Length(max=20000)],
    )

    def keywords(self) -> dict[str, list[str]]:
        return {name: split_list(self[f"keywords_{name}"].data) for name in KEYWORD_LISTS}


class NewCategoryForm(CategoryForm):
    code = StringField(
        _l("Code (Open311 service code)"),
        validators=[DataRequired(), Length(min=2, max=40), CODE],
    )
    group = SelectField(
        _l("Group"),
        choices=[SelectChoice(group) for group in CATEGORY_GROUPS],
        validators=[DataRequired()],
    )


def category_form_data(category) -> dict:
    data = {
        "name_ar": category.name_ar,
        "name_en": category.name_en,
        "sla_hours": category.sla_hours,
        "active": category.active,
    }
    for name in KEYWORD_LISTS:
        data[f"keywords_{name}"] = join_lines((category.keywords or {}).get(name))
    return data


class AreaForm(FlaskForm):
    name_ar = StringField(_l("Name in Arabic"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)])
    alt_names = TextAreaField(_l("Other spellings, one per line"), validators=[Length(max=20000)])
    lat = FloatField(_l("Latitude"), validators=[Optional()], render_kw={"inputmode": "decimal"})
    lon = FloatField(_l("Longitude"), validators=[Optional()], render_kw={"inputmode": "decimal"})
    parent = SelectField(_l("Inside"), validators=[Optional()])


def area_form_data(area) -> dict:
    return {
        "name_ar": area.name_ar,
        "name_en": area.name_en,
        "alt_names": join_lines(area.alt_names),
        "lat": area.lat,
        "lon": area.lon,
        "parent": area.parent.code if area.parent else "",
    }


class RuleForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[DataRequired()])
    area = SelectField(_l("Area"), validators=[Optional()])
    directorate = SelectField(_l("Directorate"), validators=[DataRequired()])


class RuleDirectorateForm(FlaskForm):
    directorate = SelectField(_l("Directorate"), validators=[DataRequired()])


class ResponseTemplateForm(FlaskForm):
    directorate = SelectField(_l("Directorate"), validators=[DataRequired()])
    title = StringField(
        _l("Title (what officers pick)"), validators=[DataRequired(), Length(max=200)]
    )
    body_ar = TextAreaField(_l("Message in Arabic"), validators=[DataRequired(), Length(max=1000)])
    body_en = TextAreaField(_l("Message in English"), validators=[DataRequired(), Length(max=1000)])
