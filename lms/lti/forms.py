"""LTI forms: an administrator registers a platform; a learner or tutor picks what to place."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional

from lms.core.i18n import lazy_gettext as _l
from lms.lti.models import MatchBy


class PlatformForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    issuer = StringField(_l("Issuer"), validators=[DataRequired(), URL(require_tld=False), Length(max=255)])
    client_id = StringField(_l("Client id"), validators=[DataRequired(), Length(max=255)])
    deployment_ids = TextAreaField(_l("Deployment ids (one a line)"), validators=[DataRequired()])
    auth_login_url = StringField(_l("Authentication request URL"), validators=[DataRequired(), URL(require_tld=False)])
    auth_token_url = StringField(_l("Access token URL"), validators=[DataRequired(), URL(require_tld=False)])
    key_set_url = StringField(_l("Public keyset URL"), validators=[DataRequired(), URL(require_tld=False)])
    match_by = SelectField(
        _l("Find accounts by"),
        choices=[
            (MatchBy.SUBJECT.value, _l("the platform's subject only")),
            (MatchBy.EMAIL.value, _l("e-mail address")),
        ],
    )
    create_accounts = BooleanField(_l("Create accounts at the first launch"))
    submit = SubmitField(_l("Register the platform"))


class RemoveForm(FlaskForm):
    submit = SubmitField(_l("Remove"))


class DeepLinkForm(FlaskForm):
    launch_id = HiddenField(validators=[DataRequired(), Length(max=100)])
    items = SelectMultipleField(_l("Content to add to the course"), validators=[DataRequired()])
    unit = StringField(_l("Unit code"), validators=[Optional(), Length(max=20)])
    submit = SubmitField(_l("Add to the course"))
