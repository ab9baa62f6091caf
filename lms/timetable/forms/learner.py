"""Learner forms: the catalogue filters (a GET form, bookmarkable) and the CSRF-only action
buttons (register, withdraw, create or revoke the calendar feed)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from lms.core.i18n import lazy_gettext as _l
from lms.core.time import academic_year_label
from lms.timetable.labels import MODALITY
from lms.timetable.models import Semester
from lms.timetable.queries.offering_catalogue import MINE

SEMESTERS = {
    Semester.S1: _l("Semester 1 (October to February)"),
    Semester.S2: _l("Semester 2 (February to June)"),
    Semester.A: _l("Annual"),
}


class CatalogueFilterForm(FlaskForm):
    """A GET form: no CSRF token. Choices are set by :meth:`fill`."""

    class Meta:
        csrf = False

    programme = SelectField(_l("Programme"), validators=[Optional()], default="")
    year = SelectField(_l("Academic year"), validators=[Optional()], default="")
    semester = SelectField(_l("Semester"), validators=[Optional()], default="")
    modality = SelectField(_l("Modality"), validators=[Optional()], default="")
    centre = SelectField(_l("Centre"), validators=[Optional()], default="")
    evening = BooleanField(_l("Evening or Saturday only"))
    distance = BooleanField(_l("Distance only"))
    submit = SubmitField(_l("Filter"))

    def fill(self, mine: list[str], programmes: list[tuple[str, str]], years: tuple[int, int], centres) -> None:
        titles = dict(programmes)
        choices = [SelectChoice("", _l("Any programme"))]
        if mine:
            choices.append(SelectChoice(MINE, _l("Any of my programmes")))
            group = str(_l("My programmes"))
            choices += [SelectChoice(code, f"{code} — {titles.get(code, '')}", optgroup=group) for code in mine]
            group = str(_l("Other programmes"))
            choices += [
                SelectChoice(code, f"{code} — {title}", optgroup=group)
                for code, title in programmes
                if code not in mine
            ]
        else:
            choices += [SelectChoice(code, f"{code} — {title}") for code, title in programmes]
        self.programme.choices = choices
        self.year.choices = [
            (
                "",
                _l(
                    "%(first)s and %(second)s",
                    first=academic_year_label(years[0]),
                    second=academic_year_label(years[1]),
                ),
            )
        ]
        self.year.choices += [(str(year), academic_year_label(year)) for year in years]
        self.semester.choices = [("", _l("Any semester"))] + [(s.value, label) for s, label in SEMESTERS.items()]
        self.modality.choices = [("", _l("Any modality"))] + [(m.value, label) for m, label in MODALITY.items()]
        self.centre.choices = [("", _l("Any centre"))] + [(str(cid), name) for cid, name in centres]


class ActionForm(FlaskForm):
    """A button posting nothing but its CSRF token."""
