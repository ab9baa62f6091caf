"""Forms of the study planner: the learner's preferences (a GET form: computing a proposal changes
nothing) and the POST forms that save or delete a plan (CSRF)."""

from __future__ import annotations

from fractions import Fraction

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.core.i18n import lazy_gettext as _l
from lms.progress.audit.planner import Preferences
from lms.timetable.labels import MODALITY

EVENING_AND_DISTANCE = ("presentiel_soir", "hybride_soir", "foad", "distance_planifiee_soir")
UNIT_CHOICES = ("auto", "pin", "remove")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _pace_in_range(form: PreferencesForm, field: DecimalField) -> None:
    if field.data is None:
        return
    if form.pace_kind.data == "units" and (field.data != int(field.data) or not 1 <= field.data <= 10):
        raise ValidationError(_l("A pace in units is a whole number from 1 to 10."))
    if form.pace_kind.data == "ects" and not 1 <= field.data <= 60:
        raise ValidationError(_l("A pace in ECTS is between 1 and 60."))


class PreferencesForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only computes a proposal

    pace_kind = RadioField(
        _l("Pace counted in"),
        choices=[SelectChoice("units", _l("units per semester")), SelectChoice("ects", _l("ECTS per semester"))],
        default="units",
    )
    pace = DecimalField(
        _l("Pace per semester"),
        places=1,
        default=2,
        validators=[DataRequired(_l("Give a pace.")), NumberRange(min=0.5, max=60), _pace_in_range],
    )
    modalities = MultiCheckboxField(
        _l("Acceptable modalities"),
        choices=[SelectChoice(m.value, label) for m, label in MODALITY.items()],
        default=list(EVENING_AND_DISTANCE),
    )
    centres = MultiCheckboxField(_l("Acceptable centres (none ticked: any centre)"), choices=[])
    submit = SubmitField(_l("Propose a plan"))

    def preferences(self) -> Preferences:
        return Preferences(
            pace_kind=self.pace_kind.data,
            pace=Fraction(str(self.pace.data)),
            modalities=frozenset(self.modalities.data or ()),
            centres=frozenset(self.centres.data or ()),
        )


class SavePlanForm(FlaskForm):
    """Saves the plan of these preferences (recomputed on the server: the proposal is never trusted
    from the browser)."""

    params = HiddenField()
    submit = SubmitField(_l("Save this plan"))


class DeletePlanForm(FlaskForm):
    submit = SubmitField(_l("Delete my saved plan"))
