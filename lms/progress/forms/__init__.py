"""Forms of the learner record page (directors' and administrators' decisions)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from lms.results.forms import GradeField
from lms.results.labels import CREDIT_SOURCE

UNIT_CODE = Regexp(r"^\s*[A-Za-z0-9]{3,12}\s*$", message=_l("A unit code has 3 to 12 letters or digits."))


class LearnerSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("Learner number or name"), validators=[Optional(), Length(max=100)])


class ActivityDecisionForm(FlaskForm):
    """A UA validated (or not) on evidence: professional experience, mémoire, stage."""

    unit = StringField(_l("UA code"), validators=[DataRequired(), UNIT_CODE])
    decision = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("validated", _l("Validated")),
            SelectChoice("not_validated", _l("Not validated")),
        ],
    )
    grade = GradeField(_l("Grade out of 20 (optional)"), validators=[Optional()])
    decided_on = DateField(_l("Decision date"), validators=[DataRequired()])
    evidence = TextAreaField(
        _l("Evidence"),
        description=_l("What the decision rests on: certificates of employment, report, defence, tutor's opinion..."),
        validators=[DataRequired(), Length(max=4000)],
    )
    submit = SubmitField(_l("Record the decision"))


class GrantCreditForm(FlaskForm):
    unit = StringField(_l("Unit code"), validators=[DataRequired(), UNIT_CODE])
    source = SelectField(
        _l("Kind of credit"), choices=[SelectChoice(source.value, label) for source, label in CREDIT_SOURCE.items()]
    )
    programme = SelectField(_l("Programme (required for a VES)"), choices=[], validators=[Optional()])
    granted_on = DateField(_l("Decision date"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Grant the credit"))


class SubstitutionForm(FlaskForm):
    programme = SelectField(_l("Programme"), choices=[], validators=[DataRequired()])
    substitute = StringField(_l("Unit the learner holds"), validators=[DataRequired(), UNIT_CODE])
    replaced = StringField(_l("Unit it stands for"), validators=[DataRequired(), UNIT_CODE])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Record the substitution"))


class RevokeForm(FlaskForm):
    reason = StringField(_l("Reason for revoking"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Revoke"))
