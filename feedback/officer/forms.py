"""Forms for officers' actions; the rules themselves live in feedback.domain.lifecycle and
feedback.domain.incidents."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import to_utc
from flask_wtf import FlaskForm
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: new in WTForms 3.3
    BooleanField,
    DateTimeLocalField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from feedback.domain.bulk import BulkAction
from feedback.models import row_id
from feedback.web.forms import description_field, phone_field


class ActionForm(FlaskForm):
    # Any id travels; feedback.services.response_templates decides which one may be used.
    template = SelectField(_l("Response template"), validators=[Optional()], validate_choice=False)
    public_message = TextAreaField(_l("Public message (sent to the citizen)"), [Length(max=1000)])
    internal_note = TextAreaField(_l("Internal note (never public)"), [Length(max=2000)])


class TransferForm(FlaskForm):
    directorate = SelectField(_l("Transfer to"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (public)"), [DataRequired(), Length(max=1000)])


class CategoryChangeForm(FlaskForm):
    category = SelectField(_l("The right category"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (public)"), [DataRequired(), Length(max=1000)])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Internal note"), [DataRequired(), Length(max=2000)])


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    status = SelectField(_l("Status"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    area = SelectField(_l("Area"), validators=[Optional()])
    directorate = SelectField(_l("Directorate"), validators=[Optional()])
    overdue = BooleanField(_l("Overdue only"))
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])


class AssignForm(FlaskForm):
    """Any officer id is accepted here; the service checks it is one of the directorate's."""

    officer = SelectField(_l("Assigned to"), validators=[Optional()], validate_choice=False)


class DeclareIncidentForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[DataRequired()])
    areas = SelectMultipleField(_l("Areas"), validators=[DataRequired()])
    expected_end = DateTimeLocalField(
        _l("Expected end (Basra time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    message_ar = TextAreaField(_l("Public message in Arabic"), [Length(max=500)])
    message_en = TextAreaField(_l("Public message in English"), [Length(max=500)])

    def expected_end_at(self) -> datetime:
        """The end as typed, a wall-clock time in the city's time zone."""
        return to_utc(self.expected_end.data).replace(tzinfo=UTC)


class IncidentActionForm(FlaskForm):
    # Any id travels; feedback.services.response_templates decides which one may be used.
    template = SelectField(_l("Response template"), validators=[Optional()], validate_choice=False)
    message_ar = TextAreaField(_l("Public message in Arabic"), [Length(max=500)])
    message_en = TextAreaField(_l("Public message in English"), [Length(max=500)])
    internal_note = TextAreaField(_l("Internal note (never public)"), [Length(max=2000)])


class RemoveFromIncidentForm(FlaskForm):
    reason = StringField(_l("Why it is not the same problem"), [DataRequired(), Length(max=200)])


class JoinIncidentForm(FlaskForm):
    incident = SelectField(_l("Incident"), coerce=row_id, validators=[DataRequired()])


class BulkForm(FlaskForm):
    """The queue's selected tickets and what to do to them; the confirmation page sends the
    same fields again, with only the tickets that fit. Ids and codes are checked by
    feedback.services.bulk, not here."""

    ticket = SelectMultipleField(_l("Select"), validate_choice=False)
    action = SelectField(
        _l("With the selected tickets"),
        choices=[
            SelectChoice(BulkAction.ACKNOWLEDGE, _l("Acknowledge")),
            SelectChoice(BulkAction.TRANSFER, _l("Transfer to another directorate")),
            SelectChoice(BulkAction.ADD_TO_INCIDENT, _l("Add to an incident")),
        ],
        validators=[DataRequired()],
    )
    template = SelectField(_l("Response template"), validators=[Optional()], validate_choice=False)
    public_message = TextAreaField(
        _l("Public message or reason (texted to each citizen)"), [Length(max=1000)]
    )
    directorate = SelectField(_l("Transfer to"), validators=[Optional()], validate_choice=False)
    incident = SelectField(_l("Incident"), validators=[Optional()], validate_choice=False)


class RecordForm(FlaskForm):
    """A complaint told to staff in person or by phone, typed in for the citizen."""

    channel = SelectField(_l("How it was received"), validators=[DataRequired()])
    description = description_field(_l("The complaint, in the citizen's words"))
    area = SelectField(_l("Area (optional: else read from the complaint)"), [Optional()])
    name = StringField(_l("The citizen's name (optional)"), [Optional(), Length(max=120)])
    phone = phone_field(_l("The citizen's mobile number (optional, to be told by SMS)"))
