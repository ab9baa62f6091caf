"""Forms of the learner record page (directors' and administrators' decisions)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from lms.core.i18n import lazy_gettext as _l
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


class EctsField(StringField):
    """ECTS typed in a form, ``4,5`` or ``4.5``: ``data`` is a Decimal, or None when left blank."""

    def process_formdata(self, valuelist) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", ".")
        if text:
            try:
                self.data = Decimal(text)
            except InvalidOperation:
                raise ValueError(str(_l("Write the ECTS as a number, such as 3 or 4,5."))) from None
            if not self.data.is_finite():
                self.data = None
                raise ValueError(str(_l("Write the ECTS as a number, such as 3 or 4,5.")))

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))


class SubstitutionForm(FlaskForm):
    programme = SelectField(_l("Programme"), choices=[], validators=[DataRequired()])
    substitute = StringField(
        _l("Unit the learner holds"),
        validators=[DataRequired(), UNIT_CODE],
        description=_l("Validated, or registered for: the substitution then counts in progress until it is validated."),
    )
    replaced = StringField(
        _l("Unit or free slot it stands for"),
        validators=[DataRequired(), UNIT_CODE],
        description=_l("A unit of the programme's tree, or the code of one of its free slots (shown in the tree)."),
    )
    counted_ects = EctsField(
        _l("ECTS counted"),
        validators=[Optional()],
        description=_l(
            "Only for a substitute worth fewer ECTS than the unit it replaces: "
            "confirm the ECTS the audit counts for it."
        ),
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Record the substitution"))


class RevokeForm(FlaskForm):
    reason = StringField(_l("Reason for revoking"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Revoke"))
