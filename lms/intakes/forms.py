"""Forms of the intakes area. Choices that come from the database are set by the views."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from lms.accounts.models import Funding
from lms.core.i18n import lazy_gettext as _l
from lms.intakes.labels import APPLICATION_STATUS, FUNDING, LEVELS
from lms.intakes.models import ApplicationStatus
from lms.intakes.services.applications import Decision
from lms.timetable.labels import MODALITY
from lms.timetable.models import Modality


def _without_nul(value):
    """PostgreSQL refuses NUL characters in text: drop them rather than fail."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _Form(FlaskForm):
    """Text fields lose NUL characters before any other filter or validator sees them."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, (StringField,)):
                filters = unbound_field.kwargs.get("filters") or ()
                options["filters"] = [_without_nul, *filters]
            return unbound_field.bind(form=form, **options)


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


MODALITY_CHOICES = [SelectChoice(modality.value, MODALITY[modality]) for modality in Modality]
LEVEL_CHOICES = [SelectChoice("", _l("— choose —"))] + [
    SelectChoice(str(level), label) for level, label in LEVELS.items()
]
FUNDING_CHOICES = [SelectChoice("", _l("— choose —"))] + [SelectChoice(f.value, FUNDING[f]) for f in Funding]
DECISION_CHOICES = [
    SelectChoice(Decision.ACCEPT.value, _l("Accept")),
    SelectChoice(Decision.WAITLIST.value, _l("Put on the waiting list")),
    SelectChoice(Decision.REJECT.value, _l("Reject")),
]


class IntakeForm(_Form):
    programme_version_id = SelectField(_l("Programme version"), coerce=_int_or_none, validators=[InputRequired()])
    academic_year = IntegerField(_l("Academic year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    centre_id = SelectField(_l("Centre"), coerce=_int_or_none, validators=[InputRequired()])
    modality = SelectField(_l("Modality"), choices=MODALITY_CHOICES, validators=[InputRequired()])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(1, 100000)])
    applications_open_on = DateField(_l("Applications open on"), validators=[InputRequired()])
    applications_close_on = DateField(_l("Applications close on"), validators=[InputRequired()])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    submit = SubmitField(_l("Save the intake"))


class SignupForm(_Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Create my account"))


class ApplicationForm(_Form):
    prior_level = SelectField(
        _l("Your highest level (RNCP)"),
        choices=LEVEL_CHOICES,
        coerce=_int_or_none,
        validate_choice=False,
        validators=[Optional()],
    )
    diplomas = TextAreaField(_l("Diplomas held"), validators=[Optional(), Length(max=4000)])
    current_job = StringField(_l("Current job"), validators=[Optional(), Length(max=200)], filters=[_strip])
    years_experience = IntegerField(_l("Years of professional experience"), validators=[Optional(), NumberRange(0, 60)])
    funding = SelectField(_l("Funding"), choices=FUNDING_CHOICES, validators=[Optional()])
    vapp_requested = BooleanField(_l("I ask for a VAPP (admission on professional and personal experience)"))
    document = FileField(_l("Add a document (PDF)"))
    save = SubmitField(_l("Save the draft"))
    submit_application = SubmitField(_l("Submit the application"))

    def validate_prior_level(self, field):
        if field.data is not None and field.data not in LEVELS:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Choose a level between 1 and 8."))

    def validate_funding(self, field):
        if field.data and field.data not in {f.value for f in Funding}:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Choose a funding."))


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (withdraw, delete a document, start an application)."""

    submit = SubmitField(_l("Confirm"))


class DecisionForm(_Form):
    decision = SelectField(_l("Decision"), choices=DECISION_CHOICES, validators=[InputRequired()])
    reason = TextAreaField(_l("Reason (shown to the candidate)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record the decision"))


STATUS_FILTER_CHOICES = [SelectChoice("", _l("All (except drafts)"))] + [
    SelectChoice(status.value, APPLICATION_STATUS[status])
    for status in ApplicationStatus
    if status is not ApplicationStatus.DRAFT
]
FLAG_FILTER_CHOICES = [
    SelectChoice("", _l("All")),
    SelectChoice("yes", _l("Below the entry level without VAPP")),
    SelectChoice("no", _l("Not flagged")),
]


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=STATUS_FILTER_CHOICES, validators=[Optional()])
    flagged = SelectField(_l("Entry level"), choices=FLAG_FILTER_CHOICES, validators=[Optional()])
    submit = SubmitField(_l("Filter"))


class EnrolForm(FlaskForm):
    programme_version_id = SelectField(_l("Programme version"), coerce=_int_or_none, validators=[InputRequired()])
    submit = SubmitField(_l("Enrol the learner"))


class MoveForm(FlaskForm):
    programme_version_id = SelectField(_l("Move to the version"), coerce=_int_or_none, validators=[InputRequired()])
    preview = SubmitField(_l("Preview the move"))
    confirm = SubmitField(_l("Move the enrolment"))


class StatusForm(_Form):
    """An administrator changes an enrolment's status; the choices are the allowed ones (set by the view)."""

    to_status = SelectField(_l("New status"), validators=[InputRequired()])
    note = TextAreaField(_l("Reason (kept in the history)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Change the status"))
