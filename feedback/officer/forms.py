"""Forms for officers' actions; the rules themselves live in feedback.domain.lifecycle."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


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
