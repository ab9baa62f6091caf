"""Reads for administrators' overviews and the reports, one module per report.

Every report aggregates in SQL (GROUP BY) and runs a number of statements that does not depend on
the data size. Administrators see every programme; a programme director only the programmes they
direct (:class:`Scope`). Medians are computed in Python from ordered rows, so both engines give
the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import Learner, Role, UserRole
from lms.catalog.models import ProgrammeVersion, Unit
from lms.extensions import db
from lms.intakes.models import Application, ApplicationStatus, Enrolment, EnrolmentStatus, Intake
from lms.reports.queries.cohorts import Bin, Cohort, bin_width, cohorts, make_bins
from lms.reports.queries.common import (
    Filters,
    Page,
    ProgrammeChoice,
    Scope,
    median,
    programme_choices,
    ratio,
    scope_for,
)
from lms.reports.queries.diplomas import Duration, TimeToDiploma, learner_modality, time_to_diploma
from lms.reports.queries.dropouts import Dormant, activity_time, dormant_page, dormant_stream
from lms.reports.queries.intakes import FUNNEL, IntakeLine, ProgrammeFunnel, intake_lines, programme_funnels
from lms.reports.queries.units import (
    PASS_MARK,
    UnitRate,
    scoped_unit_codes,
    summary_time,
    validation_page,
    validation_rates,
)
from lms.timetable.models import Offering

__all__ = [
    "FUNNEL",
    "PASS_MARK",
    "Bin",
    "Cohort",
    "Dormant",
    "Duration",
    "Filters",
    "IntakeLine",
    "Overview",
    "Page",
    "ProgrammeChoice",
    "ProgrammeFunnel",
    "Scope",
    "TimeToDiploma",
    "UnitRate",
    "activity_time",
    "bin_width",
    "cohorts",
    "dormant_page",
    "dormant_stream",
    "intake_lines",
    "learner_modality",
    "make_bins",
    "median",
    "overview",
    "programme_choices",
    "programme_funnels",
    "ratio",
    "scope_for",
    "scoped_unit_codes",
    "summary_time",
    "time_to_diploma",
    "validation_page",
    "validation_rates",
]


@dataclass(frozen=True)
class Overview:
    learners: int
    active_enrolments: int
    tutors: int
    units: int
    programme_versions: int
    offerings_this_year: int
    offerings: int
    intakes: int
    open_applications: int


def overview(current_year: int) -> Overview:
    """All counts in one statement of scalar subqueries."""

    def count(column, *where):
        return sa.select(sa.func.count(column)).where(*where).scalar_subquery()

    row = db.session.execute(
        sa.select(
            count(Learner.id),
            count(Enrolment.id, Enrolment.status == EnrolmentStatus.ACTIVE),
            count(UserRole.user_id, UserRole.role == Role.TUTOR),
            count(Unit.id),
            count(ProgrammeVersion.id),
            count(Offering.id, Offering.academic_year == current_year),
            count(Offering.id),
            count(Intake.id),
            count(Application.id, Application.status == ApplicationStatus.SUBMITTED),
        )
    ).one()
    return Overview(*row)
