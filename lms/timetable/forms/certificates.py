"""Attendance certificate forms: the period, and the administrator's learner look-up."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from lms.core.i18n import lazy_gettext as _l

MAX_DAYS = 10 * 366
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


def _plausible(form: FlaskForm, field: DateField) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_l("Give a date between 1990 and 2100."))


class CertificatePeriodForm(FlaskForm):
    period_start = DateField(_l("From"), validators=[DataRequired(_l("Give the first day of the period.")), _plausible])
    period_end = DateField(_l("To"), validators=[DataRequired(_l("Give the last day of the period.")), _plausible])
    submit = SubmitField(_l("Download the certificate (PDF)"))

    def validate_period_end(self, field: DateField) -> None:
        start = self.period_start.data
        if start is None or field.data is None:
            return
        if field.data < start:
            raise ValidationError(_l("The period must end on or after its first day."))
        if (field.data - start).days > MAX_DAYS:
            raise ValidationError(_l("The period cannot be longer than ten years."))


class LearnerLookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    number = StringField(_l("Learner number"), validators=[DataRequired(_l("Give a learner number.")), Length(max=20)])
    submit = SubmitField(_l("Find"))
