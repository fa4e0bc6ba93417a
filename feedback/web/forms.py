"""The citizen's report form: every field checked, every error next to its field. Its
description and phone fields serve the staff's form for walk-ins and calls too."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import FloatField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from feedback.domain.phone import normalise_phone
from feedback.domain.text import clean_text


def _cleaned(value: str | None) -> str | None:
    """What the citizen typed, storable (a pasted NUL must not cost the report)."""
    return clean_text(value) if isinstance(value, str) else value


def check_phone(form: FlaskForm, field: StringField) -> None:
    """A number we can text: what people type (0780 123 4567, Arabic digits) made E.164."""
    if field.data and normalise_phone(field.data) is None:
        raise ValidationError(_l("This is not a valid phone number, e.g. 0780 123 4567."))


def description_field(label: str) -> TextAreaField:
    """The complaint in the citizen's words, on the report form and the staff's."""
    return TextAreaField(
        label,
        filters=[_cleaned],
        validators=[
            DataRequired(_l("Please describe the problem.")),
            Length(min=5, max=4000, message=_l("Between 5 and 4000 characters, please.")),
        ],
    )


def phone_field(label: str) -> StringField:
    """The citizen's mobile number, optional, for the SMS with the reference and the notices."""
    return StringField(
        label, filters=[_cleaned], validators=[Optional(), Length(max=40), check_phone]
    )


class ReportForm(FlaskForm):
    category = SelectField(_l("What is the problem?"), validators=[DataRequired()])
    description = description_field(_l("Describe it"))
    lat = FloatField(widget=HiddenInput(), validators=[Optional(), NumberRange(-90, 90)])
    lon = FloatField(widget=HiddenInput(), validators=[Optional(), NumberRange(-180, 180)])
    phone = phone_field(_l("Your mobile number (optional, to be told by SMS)"))
    photo = MultipleFileField(_l("Photos (optional)"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # A lone coordinate (a half-sent pin) would silently lose the location.
        if (self.lat.data is None) != (self.lon.data is None):
            self.lon.errors = [
                *self.lon.errors,
                _l("The map point is incomplete; please place the pin again."),
            ]
            return False
        return valid
