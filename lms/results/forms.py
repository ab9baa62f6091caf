"""Grade-sheet forms: the sheet (CSRF and buttons; rows are read by name), the correction form,
and the filters of "My offerings"."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from lms.core.i18n import lazy_gettext as _l
from lms.core.time import academic_year_label
from lms.core.uploads import file_size_limit
from lms.results import uploads
from lms.results.grades import GradeError, parse_maximum
from lms.results.services import RowInput, parse_grade
from lms.timetable.labels import SEMESTER


class SheetForm(FlaskForm):
    """The sheet's rows are named ``grade-<registration id>``, ``absent-…``, ``decision-…``,
    ``comment-…`` and ``version-…``: :func:`read_rows` reads them."""

    save = SubmitField(_l("Save as draft"))
    publish = SubmitField(_l("Publish"))


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


def _text(value: str | None, limit: int) -> str | None:
    """None when the field was not on the page (the value is then kept as it is)."""
    return None if value is None else value[:limit]


def read_rows(formdata: MultiDict, registration_ids: list[int]) -> list[RowInput]:
    rows = []
    for registration_id in registration_ids:
        if f"version-{registration_id}" not in formdata:
            continue  # the row was not on the page that was sent
        rows.append(
            RowInput(
                registration_id=registration_id,
                grade=_text(formdata.get(f"grade-{registration_id}"), 20),
                absent=bool(formdata.get(f"absent-{registration_id}")),
                decision=(formdata.get(f"decision-{registration_id}") or "")[:20],
                comment=_text(formdata.get(f"comment-{registration_id}"), 4000),
                version=_int(formdata.get(f"version-{registration_id}")),
            )
        )
    return rows


DECISION_CHOICES = [
    SelectChoice("", _l("— not decided —")),
    SelectChoice("validated", _l("Validated")),
    SelectChoice("not_validated", _l("Not validated")),
]


class GradeField(StringField):
    """A grade out of 20 typed in a form, read by the one grade parser
    (:func:`lms.results.services.parse_grade`): ``data`` is a Decimal, or None when left blank."""

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if valuelist:
            try:
                self.data = parse_grade(valuelist[0])
            except GradeError as error:
                raise ValueError(str(error.message)) from None

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))


class JuryDateForm(FlaskForm):
    jury_on = DateField(_l("Jury date"), validators=[DataRequired(_l("Give the jury date."))])
    submit = SubmitField(_l("Set the jury date"))


class PublishForm(FlaskForm):
    """The confirmation of a publication; ``key`` says which drafts at which versions were shown."""

    key = HiddenField()
    confirm = BooleanField(
        _l("I have checked these results: publish them and notify the learners."),
        validators=[DataRequired(_l("Tick the box to confirm the publication."))],
    )
    confirm_early = BooleanField(_l("The exam has not taken place yet: publish anyway (this is logged)."))
    submit = SubmitField(_l("Publish"))


class CorrectionForm(FlaskForm):
    grade = StringField(_l("New grade out of 20"), validators=[Optional(), Length(max=20)])
    absent = BooleanField(_l("Absent"))
    decision = SelectField(_l("Decision"), choices=DECISION_CHOICES, validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[
            DataRequired(_l("Give the reason for this correction.")),
            Length(max=2000),
        ],
    )
    version = HiddenField()
    submit = SubmitField(_l("Correct the result"))


class GradeImportForm(FlaskForm):
    """The file, its format and, for a Moodle gradebook, the grade column (a second step: the
    file is then kept server-side under ``token``). The view fills the choices."""

    file = FileField(
        _l("Grade file"),
        validators=[
            FileAllowed(
                list(uploads.EXTENSIONS),
                _l("The file must be a .csv, .txt or .xlsx file."),
            ),
            file_size_limit(uploads.files),
        ],
    )
    importer = SelectField(_l("Format"), validators=[DataRequired()])
    column = SelectField(_l("Grade column"), validators=[Optional()], validate_choice=False)
    out_of = StringField(
        _l("Out of"), validators=[Optional(), Length(max=12)], render_kw={"inputmode": "decimal", "autocomplete": "off"}
    )
    token = HiddenField(validators=[Optional(), Regexp(uploads.TOKEN)])
    submit = SubmitField(_l("Preview the import"))

    def validate_out_of(self, field) -> None:
        """A maximum such as 100 (blank: the one the file states, else 20)."""
        try:
            parse_maximum(field.data)
        except GradeError as error:
            raise ValidationError(_l(error.msgid, **error.params)) from None


class ConfirmGradeImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Regexp(uploads.TOKEN)])
    partial = BooleanField(_l("Import the valid rows and ignore the others"))
    submit = SubmitField(_l("Import as drafts"))


ALL_YEARS = "all"


class MyOfferingsFilterForm(FlaskForm):
    """The filters of "My offerings" (GET, no CSRF): one academic year, the current one by default,
    or all of them, and a semester. Choices are set by :meth:`fill`."""

    class Meta:
        csrf = False

    year = SelectField(_l("Academic year"), validators=[Optional()])
    semester = SelectField(_l("Semester"), validators=[Optional()], default="")
    submit = SubmitField(_l("Filter"))

    def fill(self, years: list[int], current: int) -> None:
        listed = sorted({*years, current}, reverse=True)
        self.year.choices = [(str(year), academic_year_label(year)) for year in listed]
        self.year.choices.append((ALL_YEARS, _l("All years")))
        if self.year.data not in {value for value, _label in self.year.choices}:
            self.year.data = str(current)  # nothing chosen, or a year the tutor does not teach in
        self.semester.choices = [("", _l("Any semester"))] + [(s.value, label) for s, label in SEMESTER.items()]
        if self.semester.data not in {value for value, _label in self.semester.choices}:
            self.semester.data = ""

    def chosen(self) -> tuple[int | None, str | None]:
        """The year (None: all) and semester (None: any) to show; after :meth:`fill`."""
        year = None if self.year.data == ALL_YEARS else int(self.year.data)
        return year, self.semester.data or None
