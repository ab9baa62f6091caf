"""Attendance forms: the sheet of a meeting (CSRF and buttons; rows are read by name) and the
participants report import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, IntegerField, SubmitField
from wtforms.validators import (
    DataRequired,
    NumberRange,
    Optional,
    Regexp,
)

from lms.core.i18n import lazy_gettext as _l
from lms.core.uploads import TOKEN, file_size_limit
from lms.timetable.services import participants


class AttendanceSheetForm(FlaskForm):
    """Rows are radio groups named ``status-<registration id>``: see ``attendance.read_statuses``."""

    save = SubmitField(_l("Save attendance"))
    all_present = SubmitField(_l("Mark everyone present"))


class ParticipantsImportForm(FlaskForm):
    file = FileField(
        _l("Participants report (CSV)"),
        validators=[
            FileRequired(_l("Choose a file to send.")),
            FileAllowed(["csv", "txt"], _l("The file must be a .csv or .txt file.")),
            file_size_limit(participants.reports),
        ],
    )
    threshold = IntegerField(
        _l("Minimum minutes connected to count as present"),
        validators=[
            Optional(),
            NumberRange(min=0, max=24 * 60, message=_l("Give a number of minutes between 0 and 1440.")),
        ],
    )
    submit = SubmitField(_l("Preview the import"))


class ConfirmParticipantsForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Regexp(TOKEN)])
    submit = SubmitField(_l("Record this attendance"))
