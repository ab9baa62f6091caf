"""Administrators' forms: centres, offerings (and their list filters), copying a year, meetings,
cancelling a meeting and the recurring-meeting generator. Choices that come from the database
(centres, tutors, years) are set by the view."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from lms.core.i18n import lazy_gettext as _l
from lms.timetable.labels import MODALITY
from lms.timetable.models import MeetingMode, Modality, Semester


def _without_nul(value):
    """PostgreSQL refuses NUL characters in text: drop them rather than fail."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class AdminForm(FlaskForm):
    """Text fields lose NUL characters before any other filter or validator sees them."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                filters = unbound_field.kwargs.get("filters") or ()
                options["filters"] = [_without_nul, *filters]
            return unbound_field.bind(form=form, **options)


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


SEMESTER_CHOICES = choices(
    [
        (Semester.S1.value, _l("S1 (October to February)")),
        (Semester.S2.value, _l("S2 (February to June)")),
        (Semester.A.value, _l("Annual (October to June)")),
    ]
)
MODALITY_CHOICES = choices((modality.value, MODALITY[modality]) for modality in Modality)
MODE_CHOICES = choices(
    [
        (MeetingMode.IN_PERSON.value, _l("In person")),
        (MeetingMode.REMOTE.value, _l("Remote")),
        (MeetingMode.BOTH.value, _l("In person and remote")),
    ]
)
WEEKDAY_CHOICES = choices(
    enumerate(
        [
            _l("Monday"),
            _l("Tuesday"),
            _l("Wednesday"),
            _l("Thursday"),
            _l("Friday"),
            _l("Saturday"),
            _l("Sunday"),
        ]
    )
)
ALL = [SelectChoice("", _l("All"))]


def _optional_int(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CentreForm(AdminForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Regexp(
                r"^[A-Z0-9]{2,10}$",
                message=_l("2 to 10 capital letters or digits, for example PAR."),
            ),
        ],
        filters=[lambda value: value.strip().upper() if value else value],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    timezone = StringField(
        _l("Time zone"),
        default="Europe/Paris",
        validators=[DataRequired(), Length(max=64)],
        filters=[lambda value: value.strip() if value else value],
    )
    submit = SubmitField(_l("Save"))

    def validate_timezone(self, field):
        if field.data not in available_timezones():
            raise ValidationError(_l("Unknown time zone: use a name such as Europe/Paris or America/Cayenne."))


class OfferingForm(AdminForm):
    unit_code = StringField(
        _l("Unit code"),
        validators=[DataRequired(), Length(max=12)],
        filters=[lambda value: value.strip().upper() if value else value],
    )
    academic_year = IntegerField(
        _l("Academic year (first calendar year)"),
        validators=[InputRequired(), NumberRange(min=1990, max=2100)],
    )
    semester = SelectField(_l("Semester"), choices=SEMESTER_CHOICES, validators=[DataRequired()])
    modality = SelectField(_l("Modality"), choices=MODALITY_CHOICES, validators=[DataRequired()])
    centre_id = SelectField(_l("Centre"), coerce=_optional_int, validators=[InputRequired()])
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=100000,
                message=_l("Between 1 and 100000, or empty for no limit."),
            ),
        ],
    )
    registration_opens_on = DateField(_l("Registrations open on"), validators=[Optional()])
    registration_closes_on = DateField(_l("Registrations close on"), validators=[Optional()])
    tutor_ids = SelectMultipleField(_l("Tutors"), coerce=int, validators=[Optional()])
    exam1_on = DateField(_l("Exam, session 1"), validators=[Optional()])
    exam2_on = DateField(_l("Exam, session 2"), validators=[Optional()])
    jury1_on = DateField(_l("Jury, session 1"), validators=[Optional()])
    jury2_on = DateField(_l("Jury, session 2"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def validate_registration_closes_on(self, field):
        opens = self.registration_opens_on.data
        if field.data and opens and field.data < opens:
            raise ValidationError(_l("Registrations must close on or after the day they open."))


class OfferingFilterForm(AdminForm):
    """The filters of the offerings list (GET, no CSRF)."""

    class Meta:
        csrf = False

    year = SelectField(_l("Academic year"), coerce=_optional_int, validators=[Optional()])
    semester = SelectField(_l("Semester"), choices=ALL + SEMESTER_CHOICES, validators=[Optional()])
    centre = SelectField(_l("Centre"), coerce=_optional_int, validators=[Optional()])
    modality = SelectField(_l("Modality"), choices=ALL + MODALITY_CHOICES, validators=[Optional()])
    unit = StringField(_l("Unit code or words of the title"), validators=[Optional(), Length(max=100)])


class CopyYearForm(AdminForm):
    year = IntegerField(
        _l("Academic year to copy (first calendar year)"),
        validators=[InputRequired(), NumberRange(min=1990, max=2099)],
    )
    closures = TextAreaField(_l("Dates to skip in the next year"), validators=[Optional(), Length(max=5000)])
    preview = SubmitField(_l("Preview"))
    confirm = SubmitField(_l("Copy"))


class MeetingForm(AdminForm):
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Give a date."))])
    start = TimeField(_l("Starts at"), validators=[InputRequired(message=_l("Give a start time."))])
    end = TimeField(_l("Ends at"), validators=[InputRequired(message=_l("Give an end time."))])
    mode = SelectField(_l("Mode"), choices=MODE_CHOICES, validators=[DataRequired()])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=100)])
    video_url = StringField(_l("Video link"), validators=[Optional(), Length(max=500)])
    outside_period = BooleanField(_l("Outside the period"))
    submit = SubmitField(_l("Save"))

    def validate_end(self, field):
        if field.data and self.start.data and field.data <= self.start.data:
            raise ValidationError(_l("The meeting must end after it starts."))


class CancelMeetingForm(AdminForm):
    notice = TextAreaField(
        _l("Notice to the learners"),
        validators=[
            DataRequired(message=_l("Say why the meeting is cancelled: learners will read it.")),
            Length(max=2000),
        ],
    )
    submit = SubmitField(_l("Cancel the meeting"))


class RestoreMeetingForm(AdminForm):
    submit = SubmitField(_l("Restore"))


class GeneratorForm(AdminForm):
    weekday = SelectField(
        _l("Day of the week"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        validators=[InputRequired()],
    )
    start = TimeField(_l("Starts at"), validators=[InputRequired(message=_l("Give a start time."))])
    end = TimeField(_l("Ends at"), validators=[InputRequired(message=_l("Give an end time."))])
    first = DateField(_l("First day"), validators=[InputRequired(message=_l("Give the first day."))])
    last = DateField(_l("Last day"), validators=[InputRequired(message=_l("Give the last day."))])
    mode = SelectField(_l("Mode"), choices=MODE_CHOICES, validators=[DataRequired()])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=100)])
    video_url = StringField(_l("Video link"), validators=[Optional(), Length(max=500)])
    closures = TextAreaField(_l("Dates to skip"), validators=[Optional(), Length(max=5000)])
    skip_holidays = BooleanField(_l("Skip French public holidays"), default=True)
    preview = SubmitField(_l("Preview"))
    confirm = SubmitField(_l("Create the meetings"))

    def validate_end(self, field):
        if field.data and self.start.data and field.data <= self.start.data:
            raise ValidationError(_l("The meeting must end after it starts."))

    def validate_last(self, field):
        if field.data and self.first.data and field.data < self.first.data:
            raise ValidationError(_l("The last day must not be before the first day."))
