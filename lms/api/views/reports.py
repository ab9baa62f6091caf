"""The report pages' figures as JSON, with the pages' access: administrators for every programme,
a director for the programmes they direct (another programme asked for: 403), nobody else. The
same queries as the pages (``lms.reports.queries``); ``computed_at`` says when the summary read
was computed, where the page says "Figures as of"."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from flask_openapi3 import Tag

from lms.accounts.models import Role
from lms.api.schemas.common import PageInfo, Problem
from lms.api.schemas.reports import (
    CohortsReport,
    DropoutsReport,
    IntakesReport,
    PagedReportQuery,
    ReportQuery,
    TimeToDiplomaReport,
    ValidationReport,
)
from lms.api.views import bp
from lms.catalog.models import Programme
from lms.core.access import deny_unless, roles_required
from lms.core.time import utcnow
from lms.extensions import db
from lms.reports import queries
from lms.reports.queries import Filters, Scope

TAG = Tag(name="reports", description="The report pages' figures (administrators, directors for their programmes).")

REPORTERS = (Role.ADMIN, Role.DIRECTOR)
FILTERED = {403: Problem, 404: Problem}


def _context(query: ReportQuery) -> tuple[Scope, Filters]:
    """The caller's scope and filters; a programme outside the scope is refused, as on the pages."""
    scope = queries.scope_for(current_user)
    programme_id = None
    if query.programme:
        programme_id = db.session.scalar(sa.select(Programme.id).where(Programme.code == query.programme.upper()))
        if programme_id is None:
            abort(404)
        deny_unless(scope.allows(programme_id))
    return scope, Filters(programme_id=programme_id, year=query.year)


def _number(value) -> float | None:
    return None if value is None else float(value)


def _counts(counts: dict) -> dict[str, int]:
    return {str(status.value if hasattr(status, "value") else status): count for status, count in counts.items()}


@bp.get(
    "/reports/validation",
    tags=[TAG],
    responses={**FILTERED, 200: ValidationReport},
    summary="Validation rates per academic year, unit and exam session",
)
@roles_required(*REPORTERS)
def validation_report(query: PagedReportQuery):
    scope, filters = _context(query)
    as_of = queries.summary_time()  # None: no summary yet, counted from the results now
    found = queries.validation_page(scope, filters, query.page, query.limit, summarised=as_of is not None)
    return ValidationReport(
        items=[
            {
                "academic_year": row.academic_year,
                "unit": row.unit_code,
                "title": row.unit_title,
                "exam_session": row.exam_session,
                "graded": row.graded,
                "validated": row.validated,
                "absent": row.absent,
                "rate": _number(row.rate),
            }
            for row in found.rows
        ],
        page=PageInfo(page=found.page, limit=query.limit, has_next=found.has_next),
        computed_at=as_of,
    ).model_dump(mode="json")


def _duration(duration) -> dict:
    return {
        "key": duration.key,
        "awards": duration.awards,
        "median_days": _number(duration.median_days),
        "median_years": _number(duration.median_years),
    }


@bp.get(
    "/reports/time-to-diploma",
    tags=[TAG],
    responses={**FILTERED, 200: TimeToDiplomaReport},
    summary="Median time from enrolment to the jury's decision",
)
@roles_required(*REPORTERS)
def time_to_diploma_report(query: ReportQuery):
    report = queries.time_to_diploma(*_context(query))
    return TimeToDiplomaReport(
        by_programme=[_duration(d) for d in report.by_programme],
        by_modality=[_duration(d) for d in report.by_modality],
        overall=_duration(report.overall),
    ).model_dump(mode="json")


@bp.get(
    "/reports/intakes",
    tags=[TAG],
    responses={**FILTERED, 200: IntakesReport},
    summary="Applications per intake and per programme (the funnel)",
)
@roles_required(*REPORTERS)
def intakes_report(query: ReportQuery):
    lines = queries.intake_lines(*_context(query))
    return IntakesReport(
        intakes=[
            {
                "intake_id": line.intake_id,
                "programme": line.programme_code,
                "version": line.version,
                "academic_year": line.academic_year,
                "centre": line.centre,
                "modality": line.modality.value,
                "capacity": line.capacity,
                "counts": _counts(line.counts),
                "submitted": line.submitted,
                "fill_rate": _number(line.fill_rate),
            }
            for line in lines
        ],
        programmes=[
            {
                "programme": funnel.programme_code,
                "intakes": funnel.intakes,
                "capacity": funnel.capacity,
                "counts": _counts(funnel.counts),
                "submitted": funnel.submitted,
                "fill_rate": _number(funnel.fill_rate),
            }
            for funnel in queries.programme_funnels(lines)
        ],
    ).model_dump(mode="json")


@bp.get(
    "/reports/cohorts",
    tags=[TAG],
    responses={**FILTERED, 200: CohortsReport},
    summary="Active enrolments per programme version by ECTS validated that count there",
)
@roles_required(*REPORTERS)
def cohorts_report(query: ReportQuery):
    return CohortsReport(
        items=[
            {
                "programme": cohort.programme_code,
                "version": cohort.version,
                "title": cohort.title,
                "nominal_ects": float(cohort.nominal_ects),
                "learners": cohort.learners,
                "median_ects": _number(cohort.median_ects),
                "bins": [{"low": b.low, "high": b.high, "learners": b.learners} for b in cohort.bins],
            }
            for cohort in queries.cohorts(*_context(query))
        ]
    ).model_dump(mode="json")


@bp.get(
    "/reports/dropouts",
    tags=[TAG],
    responses={**FILTERED, 200: DropoutsReport},
    summary="Learners at risk of dropping out (no recent activity)",
)
@roles_required(*REPORTERS)
def dropouts_report(query: PagedReportQuery):
    scope, filters = _context(query)
    as_of = queries.activity_time()  # None: no summary yet, read from every registration and result
    found = queries.dormant_page(scope, filters, utcnow().date(), query.page, query.limit, summarised=as_of is not None)
    return DropoutsReport(
        items=[
            {
                "learner_number": row.learner_number,
                "name": row.name,
                "email": row.email,
                "programme": row.programme_code,
                "version": row.version,
                "enrolled_on": row.enrolled_on,
                "last_registration_year": row.last_registration_year,
                "last_result_at": row.last_result_at,
            }
            for row in found.rows
        ],
        page=PageInfo(page=found.page, limit=query.limit, has_next=found.has_next),
        computed_at=as_of,
    ).model_dump(mode="json")
