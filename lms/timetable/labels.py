"""People-facing names of the timetable's enumerations, translated (French first)."""

from __future__ import annotations

from lms.core.i18n import lazy_gettext as _l
from lms.core.labels import labeller
from lms.timetable.models import Modality, Semester

MODALITY = {
    Modality.PRESENTIEL_JOUR: _l("In person, daytime"),
    Modality.PRESENTIEL_SOIR: _l("In person, evening or Saturday"),
    Modality.HYBRIDE_JOUR: _l("Hybrid, daytime"),
    Modality.HYBRIDE_SOIR: _l("Hybrid, evening or Saturday"),
    Modality.FOAD: _l("Open distance learning"),
    Modality.DISTANCE_PLANIFIEE_JOUR: _l("Scheduled distance, daytime"),
    Modality.DISTANCE_PLANIFIEE_SOIR: _l("Scheduled distance, evening or Saturday"),
}

SEMESTER = {
    Semester.S1: _l("semester 1 (October–February)"),
    Semester.S2: _l("semester 2 (February–June)"),
    Semester.A: _l("whole year"),
}

modality_label = labeller(MODALITY)
semester_label = labeller(SEMESTER)

# Every page may show them (programmes, results, intakes, reports): registered app-wide.
TEMPLATE_GLOBALS = {"modality_label": modality_label, "semester_label": semester_label}
TEMPLATE_FILTERS = {"modality_label": modality_label}
