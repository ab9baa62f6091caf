"""Catalogue forms: the unit search, the upload of a catalogue file and its confirmation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, HiddenField, SearchField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from lms.catalog import uploads
from lms.core.i18n import lazy_gettext as _l
from lms.core.uploads import TOKEN, file_size_limit


class UnitSearchForm(FlaskForm):
    """A GET form (bookmarkable): no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(_l("Code or words of the title"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Search"))


class CatalogUploadForm(FlaskForm):
    file = FileField(
        _l("Catalogue file (YAML)"),
        validators=[
            FileRequired(_l("Choose a file to send.")),
            FileAllowed(["yaml", "yml"], _l("The file must be a .yaml or .yml catalogue file.")),
            file_size_limit(uploads.files),
        ],
    )
    submit = SubmitField(_l("Preview the import"))


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Regexp(TOKEN)])
    submit = SubmitField(_l("Import into the catalogue"))


class DirectorForm(FlaskForm):
    """Attach a director to a programme by their e-mail address."""

    email = EmailField(
        _l("E-mail address of the director"),
        validators=[DataRequired(), Email(), Length(max=255)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    submit = SubmitField(_l("Add this director"))


class DetachDirectorForm(FlaskForm):
    submit = SubmitField(_l("Remove"))
