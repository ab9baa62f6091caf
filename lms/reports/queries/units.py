"""Validation rate of published results per unit, exam session and academic year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from lms.catalog.models import ProgrammeVersion, Unit
from lms.extensions import db
from lms.progress.audit.requirements import unit_codes
from lms.reports.models import ReportSummary, UnitResultCount
from lms.reports.queries.common import Filters, Page, Scope, paged, ratio
from lms.results.models import Decision, Result, ResultStatus
from lms.timetable.models import Offering, Registration

PASS_MARK = Decimal(10)
VALIDATION = "validation"  # the summary's name in report_summaries


@dataclass(frozen=True)
class UnitRate:
    academic_year: int
    unit_code: str
    unit_title: str
    exam_session: int
    graded: int
    validated: int
    absent: int

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.validated, self.graded)


def scoped_unit_codes(scope: Scope, filters: Filters) -> set[str] | None:
    """The units of the programmes in scope (``None``: every unit), read from the requirement trees."""
    if scope.programme_ids is None and filters.programme_id is None:
        return None
    trees = db.session.scalars(
        sa.select(ProgrammeVersion.requirements).where(
            scope.where(ProgrammeVersion.programme_id), filters.programme(ProgrammeVersion.programme_id)
        )
    )
    return {code for tree in trees for code in unit_codes(tree)}


def live_counts() -> sa.Select:
    """Published results counted per academic year, unit and exam session, from the results
    themselves (what the summary holds, and what a report reads before any summary exists)."""
    graded = sa.and_(Result.absent.is_(False), sa.or_(Result.grade.is_not(None), Result.decision.is_not(None)))
    validated = sa.and_(
        Result.absent.is_(False),
        sa.or_(
            Result.decision == Decision.VALIDATED,
            sa.and_(Result.decision.is_(None), Result.grade >= PASS_MARK),
        ),
    )

    def total(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    return (
        sa.select(
            Offering.academic_year.label("academic_year"),
            Offering.unit_id.label("unit_id"),
            Result.exam_session.label("exam_session"),
            total(graded).label("graded"),
            total(validated).label("validated"),
            total(Result.absent.is_(True)).label("absent"),
        )
        .select_from(Result)
        .join(Registration, Result.registration_id == Registration.id)
        .join(Offering, Registration.offering_id == Offering.id)
        .where(Result.status == ResultStatus.PUBLISHED)
        .group_by(Offering.academic_year, Offering.unit_id, Result.exam_session)
    )


def summary_time() -> datetime | None:
    """When the validation summary was last computed (None: never, the report counts live)."""
    return db.session.scalar(sa.select(ReportSummary.computed_at).where(ReportSummary.name == VALIDATION))


def _validation_query(scope: Scope, filters: Filters, summarised: bool) -> sa.Select:
    codes = scoped_unit_codes(scope, filters)
    counts = UnitResultCount.__table__ if summarised else live_counts().subquery()
    return (
        sa.select(
            counts.c.academic_year,
            Unit.code,
            Unit.title,
            counts.c.exam_session,
            counts.c.graded,
            counts.c.validated,
            counts.c.absent,
        )
        .select_from(counts)
        .join(Unit, Unit.id == counts.c.unit_id)
        .where(
            sa.true() if codes is None else Unit.code.in_(sorted(codes)),
            sa.true() if filters.year is None else counts.c.academic_year == filters.year,
        )
        .order_by(counts.c.academic_year.desc(), Unit.code, counts.c.exam_session)
    )


def _unit_rate(row) -> UnitRate:
    year, code, title, session, graded, ok, absent = row
    return UnitRate(year, code, title, session, int(graded), int(ok), int(absent))


def validation_rates(scope: Scope, filters: Filters, summarised: bool = False) -> list[UnitRate]:
    """Published results counted per academic year, unit and exam session: a result is graded when
    it carries a grade or a decision and the learner was not absent; validated when the decision is
    "validated", or without a decision, when the grade is at least 10/20. Two statements at most.
    ``summarised``: read the summary the task queue keeps (:mod:`lms.reports.summaries`)."""
    return [_unit_rate(row) for row in db.session.execute(_validation_query(scope, filters, summarised))]


def validation_page(
    scope: Scope, filters: Filters, page: int = 1, per_page: int = 200, summarised: bool = False
) -> Page[UnitRate]:
    """One page of :func:`validation_rates` and the number of lines: three statements at most."""
    return paged(_validation_query(scope, filters, summarised), _unit_rate, page, per_page)
