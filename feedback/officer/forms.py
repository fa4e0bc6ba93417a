"""Forms for officers' actions; the rules themselves live in feedback.domain.lifecycle and
feedback.domain.incidents."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import to_utc
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from feedback.models import row_id


class ActionForm(FlaskForm):
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
    message_ar = TextAreaField(_l("Public message in Arabic"), [Length(max=500)])
    message_en = TextAreaField(_l("Public message in English"), [Length(max=500)])
    internal_note = TextAreaField(_l("Internal note (never public)"), [Length(max=2000)])


class RemoveFromIncidentForm(FlaskForm):
    reason = StringField(_l("Why it is not the same problem"), [DataRequired(), Length(max=200)])


class JoinIncidentForm(FlaskForm):
    incident = SelectField(_l("Incident"), coerce=row_id, validators=[DataRequired()])
