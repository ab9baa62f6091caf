"""The account page's token forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from lms.api.models import Scope
from lms.core.i18n import lazy_gettext as _l

SCOPE_LABELS = {
    Scope.READ: _l("Read: look, change nothing"),
    Scope.WRITE: _l("Write: what your roles allow, reading included"),
    Scope.ADMIN: _l("Administration: also the administrators' operations"),
}
LIFETIMES = [
    SelectChoice("7", _l("7 days")),
    SelectChoice("30", _l("30 days")),
    SelectChoice("90", _l("90 days")),
    SelectChoice("365", _l("1 year")),
]


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    scope = SelectField(_l("Scope"), default=Scope.READ.value)
    expires_in_days = SelectField(_l("Expires after"), choices=LIFETIMES, default="90")
    submit = SubmitField(_l("Create the token"))

    def offer(self, admin: bool) -> TokenForm:
        """Administrators may also give the administration scope."""
        self.scope.choices = [
            SelectChoice(scope.value, SCOPE_LABELS[scope]) for scope in Scope if admin or scope != Scope.ADMIN
        ]
        return self


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
