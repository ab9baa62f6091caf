"""Forms of the awards area: a jury decision (for the learners ticked in the eligibility list) and
a revocation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lms.awards.services import MENTIONS
from lms.core.i18n import lazy_gettext as _l
from lms.core.time import utcnow


class JuryDecisionForm(FlaskForm):
    """``candidates`` holds ``<learner id>:<programme version id>`` keys; the view sets the
    choices to the eligibility list, so nobody else can be ticked."""

    candidates = SelectMultipleField(
        _l("Learners"), choices=[], validators=[DataRequired(_l("Tick at least one learner."))]
    )
    decided_on = DateField(_l("Date of the jury decision"), validators=[DataRequired()])
    jury = StringField(_l("Jury (name and members)"), validators=[DataRequired(), Length(max=500)])
    mention = SelectField(_l("Mention"), choices=[], validators=[Optional()])
    submit = SubmitField(_l("Award"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mention.choices = [("", _l("No mention"))] + [(key, label) for key, label in MENTIONS.items()]
        if self.decided_on.data is None and not self.is_submitted():
            self.decided_on.data = utcnow().date()

    def validate_decided_on(self, field):
        if field.data and field.data > utcnow().date():
            raise ValidationError(_l("The jury date cannot be in the future."))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revocation"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Revoke the certificate"))


class SessionZipForm(FlaskForm):
    """The button that asks for a jury session's ZIP (a POST: it starts work on the queue)."""

    submit = SubmitField(_l("Prepare all certificates (ZIP)"))
