from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.accounts.models import Role
from lms.core.i18n import lazy_gettext as _l

LOCALES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=500)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=LOCALES)
    next = HiddenField()
    submit = SubmitField(_l("Change language"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Log out"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class PasswordResetForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=500)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Choose this password"))


# --- administrators' account pages -------------------------------------------------------------


def role_choices() -> list[SelectChoice]:
    return [
        SelectChoice(Role.LEARNER.value, _l("Learner")),
        SelectChoice(Role.TUTOR.value, _l("Tutor")),
        SelectChoice(Role.DIRECTOR.value, _l("Programme director")),
        SelectChoice(Role.ADMIN.value, _l("Administrator")),
    ]


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (the template puts them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountSearchForm(FlaskForm):
    """A GET form (bookmarkable): no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name, e-mail address or learner number"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()])
    submit = SubmitField(_l("Search"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice("", _l("Any role")), *role_choices()]


class AccountCreateForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    roles = CheckboxesField(_l("Roles"), validators=[Optional()])
    locale = SelectField(_l("Language of the e-mails"), choices=LOCALES)
    submit = SubmitField(_l("Create the account and send the link"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = role_choices()


class AccountRolesForm(FlaskForm):
    roles = CheckboxesField(_l("Roles"), validators=[Optional()])
    submit = SubmitField(_l("Save the roles"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = role_choices()


class AccountActionForm(FlaskForm):
    """A button with only the CSRF token: deactivate, reactivate, send a password link."""

    submit = SubmitField()
