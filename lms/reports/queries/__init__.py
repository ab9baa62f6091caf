"""Reads for administrators' overviews and the reports, one module per report.

Every report aggregates in SQL (GROUP BY) and runs a number of statements that does not depend on
the data size. Administrators see every programme; a programme director only the programmes they
direct (:class:`Scope`). Medians are computed in Python from ordered rows, so both engines give
the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import Learner, Role, UserRole
from lms.catalog.models import ProgrammeVersion, Unit
from lms.extensions import db
from lms.intakes.models import Application, ApplicationStatus, Enrolment, EnrolmentStatus, Intake
from lms.reports.models import OverviewCount, ReportSummary
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
from lms.reports.queries.diplomas import (
    DURATIONS,
    Duration,
    TimeToDiploma,
    learner_modality,
    summarised_time_to_diploma,
    time_to_diploma,
)
from lms.reports.queries.dropouts import (
    Dormant,
    activity_time,
    dormant_page,
    dormant_stream,
    summarised_dormant_page,
)
from lms.reports.queries.intakes import (
    FUNNEL,
    INTAKES,
    IntakeLine,
    ProgrammeFunnel,
    funnels,
    intake_lines,
    intake_page,
    programme_funnels,
)
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
    "DURATIONS",
    "INTAKES",
    "OVERVIEW",
    "funnels",
    "intake_page",
    "overview_counts",
    "summarised_dormant_page",
    "summarised_time_to_diploma",
    "summary_moment",
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


OVERVIEW = "overview"  # the summary's name in report_summaries


def summary_moment(name: str) -> datetime | None:
    """When the summary ``name`` was last computed (None: never, the page reads live)."""
    return db.session.scalar(sa.select(ReportSummary.computed_at).where(ReportSummary.name == name))


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


def overview(current_year: int, summarised: bool = False) -> Overview:
    """All counts in one statement: of scalar subqueries over the tables, or ``summarised``, read
    from the summary the task queue keeps (:func:`overview_counts`, counted for the academic year
    current then)."""
    if summarised:
        values = dict(db.session.execute(sa.select(OverviewCount.name, OverviewCount.value)).all())
        return Overview(*(values.get(name, 0) for name in Overview.__dataclass_fields__))
    return Overview(*db.session.execute(overview_counts(current_year)).one())


def overview_counts(current_year: int) -> sa.Select:
    """The overview's counts, one column each, named as :class:`Overview`'s fields."""

    def count(column, *where):
        return sa.select(sa.func.count(column)).where(*where).scalar_subquery()

    columns = (
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
    return sa.select(*(column.label(name) for column, name in zip(columns, Overview.__dataclass_fields__, strict=True)))
