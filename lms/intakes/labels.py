"""People-facing names of this area's enumerations and of the RNCP levels (French first)."""

from __future__ import annotations

from lms.accounts.models import Funding
from lms.core.i18n import lazy_gettext as _l
from lms.core.labels import labeller
from lms.intakes.models import ApplicationStatus, EnrolmentStatus

APPLICATION_STATUS = {
    ApplicationStatus.DRAFT: _l("Draft"),
    ApplicationStatus.SUBMITTED: _l("Submitted"),
    ApplicationStatus.ACCEPTED: _l("Accepted"),
    ApplicationStatus.WAITLISTED: _l("On the waiting list"),
    ApplicationStatus.REJECTED: _l("Not accepted"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
}

# Bootstrap colour of each status badge (text stays dark or white enough for AA contrast).
APPLICATION_BADGE = {
    ApplicationStatus.DRAFT: "text-bg-light border",
    ApplicationStatus.SUBMITTED: "text-bg-primary",
    ApplicationStatus.ACCEPTED: "text-bg-success",
    ApplicationStatus.WAITLISTED: "text-bg-warning",
    ApplicationStatus.REJECTED: "text-bg-danger",
    ApplicationStatus.WITHDRAWN: "text-bg-secondary",
}

ENROLMENT_STATUS = {
    EnrolmentStatus.ACTIVE: _l("In progress"),
    EnrolmentStatus.SUSPENDED: _l("Suspended"),
    EnrolmentStatus.COMPLETED: _l("Completed"),
    EnrolmentStatus.WITHDRAWN: _l("Withdrawn"),
    EnrolmentStatus.MOVED: _l("Moved to a newer version"),
}

FUNDING = {
    Funding.CPF: _l("Personal training account (CPF)"),
    Funding.EMPLOYER: _l("Employer"),
    Funding.PERSONAL: _l("Personal funds"),
    Funding.PUBLIC: _l("Public funding (France Travail, region)"),
    Funding.OTHER: _l("Other"),
}

# RNCP levels (cadre national des certifications professionnelles) and the usual "bac+N".
LEVELS = {
    1: _l("Level 1 (no qualification)"),
    2: _l("Level 2 (basic skills)"),
    3: _l("Level 3 (CAP, BEP)"),
    4: _l("Level 4 (baccalauréat)"),
    5: _l("Level 5 (bac+2: BTS, DUT, DEUST)"),
    6: _l("Level 6 (bac+3: licence, BUT)"),
    7: _l("Level 7 (bac+5: master, engineering degree)"),
    8: _l("Level 8 (bac+8: doctorate)"),
}


def status_label(status) -> str:
    return "" if status is None else str(APPLICATION_STATUS[ApplicationStatus(status)])


def level_label(level: int | None) -> str:
    return "" if level is None else str(LEVELS.get(int(level), level))


def funding_label(funding) -> str:
    return "" if funding is None else str(FUNDING[Funding(funding)])


enrolment_status_label = labeller(ENROLMENT_STATUS)

# The learner's programmes (progress pages, the transcript) show enrolment statuses: app-wide.
TEMPLATE_GLOBALS = {"enrolment_status_label": enrolment_status_label}
