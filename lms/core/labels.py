"""People-facing names of the enumerations, translated (French first)."""

from __future__ import annotations

from enum import Enum

from flask_babel import lazy_gettext as _l

from lms.catalog.models import ProgrammeKind
from lms.intakes.models import EnrolmentStatus
from lms.progress.models import AuditStatus
from lms.results.models import CreditSource
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

PROGRAMME_KIND = {
    ProgrammeKind.LICENCE: _l("Licence"),
    ProgrammeKind.LICENCE_PRO: _l("Professional licence"),
    ProgrammeKind.MASTER: _l("Master"),
    ProgrammeKind.INGENIEUR: _l("Engineering degree"),
    ProgrammeKind.TITRE_RNCP: _l("RNCP title"),
    ProgrammeKind.DEUST: _l("DEUST"),
    ProgrammeKind.CERTIFICAT_COMPETENCE: _l("Certificate of competence"),
    ProgrammeKind.CERTIFICAT_SPECIALISATION: _l("Certificate of specialisation"),
    ProgrammeKind.CERTIFICAT_PROFESSIONNEL: _l("Professional certificate"),
    ProgrammeKind.MICRO_CERTIFICATION: _l("Micro-certification"),
    ProgrammeKind.DIPLOME_ETABLISSEMENT: _l("Institution diploma"),
}

ENROLMENT_STATUS = {
    EnrolmentStatus.ACTIVE: _l("In progress"),
    EnrolmentStatus.COMPLETED: _l("Completed"),
    EnrolmentStatus.WITHDRAWN: _l("Withdrawn"),
    EnrolmentStatus.MOVED: _l("Moved to a newer version"),
}

CREDIT_SOURCE = {
    CreditSource.VES: _l("VES (validation of higher education)"),
    CreditSource.VAE: _l("VAE (validation of experience)"),
    CreditSource.DISPENSE: _l("Exemption"),
    CreditSource.TRANSFER: _l("Transfer"),
}


def labeller(table: dict[Enum, object]):
    enum_cls = type(next(iter(table)))

    def label(value: Enum | str | None) -> str:
        if value is None:
            return ""
        try:
            return str(table[enum_cls(value)])
        except ValueError:
            return str(value)

    return label


AUDIT_STATUS = {
    AuditStatus.COMPLETE: _l("Complete"),
    AuditStatus.IN_PROGRESS: _l("Complete once current units are validated"),
    AuditStatus.INCOMPLETE: _l("Incomplete"),
}


TEMPLATE_GLOBALS = {
    "modality_label": labeller(MODALITY),
    "semester_label": labeller(SEMESTER),
    "programme_kind_label": labeller(PROGRAMME_KIND),
    "enrolment_status_label": labeller(ENROLMENT_STATUS),
    "credit_source_label": labeller(CREDIT_SOURCE),
    "audit_status_label": labeller(AUDIT_STATUS),
}
