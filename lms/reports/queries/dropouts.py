"""Dropout risk: active enrolments with no activity for two years."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from lms.accounts.models import Learner, User
from lms.catalog.models import Programme, ProgrammeVersion
from lms.core.paging import LOOK_AHEAD, paginate
from lms.core.time import academic_year
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.reports.models import DormantEnrolment, LearnerActivity, ReportSummary
from lms.reports.queries.common import Filters, Page, Scope, paged
from lms.results.models import Result, ResultStatus
from lms.timetable.models import Offering, Registration, RegistrationStatus

ACTIVITY = "activity"  # the summary's name in report_summaries
DORMANT = "dormant"  # the list itself, computed from the activity summary


@dataclass(frozen=True)
class Dormant:
    learner_number: str
    name: str
    email: str
    programme_code: str
    version: str
    enrolled_on: date
    last_registration_year: int | None
    last_result_at: datetime | None


def _dormant_query(
    scope: Scope, filters: Filters, today: date, summarised: bool = False, keys: bool = False
) -> sa.Select:
    """Active enrolments started at least two years ago whose learner has no registration (not
    withdrawn) in the current or the previous academic year and no result published in the last
    two years. ``summarised``: each learner's last activity read from the summary the task queue
    keeps (one row a learner) instead of from every registration and result. ``keys``: each line
    starts with its enrolment's and programme's ids (the dormant summary's rows)."""
    year = academic_year(today)
    cutoff = today - relativedelta(years=2)  # 29 February → 28 February
    cutoff_at = datetime.combine(cutoff, datetime.min.time(), tzinfo=UTC)
    mine = Registration.learner_id == Enrolment.learner_id
    registered = Registration.status != RegistrationStatus.WITHDRAWN
    last_registration = (
        sa.select(sa.func.max(Offering.academic_year))
        .select_from(Registration)
        .join(Offering, Registration.offering_id == Offering.id)
        .where(mine, registered)
        .correlate(Enrolment)
        .scalar_subquery()
    )
    last_result = (
        sa.select(sa.func.max(Result.published_at))
        .select_from(Result)
        .join(Registration, Result.registration_id == Registration.id)
        .where(mine, Result.status == ResultStatus.PUBLISHED)
        .correlate(Enrolment)
        .scalar_subquery()
    )
    recent_registration = (
        sa.select(Registration.id)
        .join(Offering, Registration.offering_id == Offering.id)
        .where(mine, registered, Offering.academic_year >= year - 1)
        .correlate(Enrolment)
        .exists()
    )
    recent_result = (
        sa.select(Result.id)
        .join(Registration, Result.registration_id == Registration.id)
        .where(mine, Result.status == ResultStatus.PUBLISHED, Result.published_at >= cutoff_at)
        .correlate(Enrolment)
        .exists()
    )
    if summarised:
        activity = LearnerActivity.__table__
        last_registration, last_result = activity.c.last_registration_year, activity.c.last_result_at
        dormant = [
            sa.or_(last_registration.is_(None), last_registration < year - 1),
            sa.or_(last_result.is_(None), last_result < cutoff_at),
        ]
    else:
        dormant = [~recent_registration, ~recent_result]
    query = (
        sa.select(
            *((Enrolment.id, Programme.id) if keys else ()),
            Learner.learner_number,
            User.name,
            User.email,
            Programme.code,
            ProgrammeVersion.version,
            Enrolment.enrolled_on,
            last_registration,
            last_result,
        )
        .select_from(Enrolment)
        .join(Learner, Enrolment.learner_id == Learner.id)
        .join(User, Learner.user_id == User.id)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
    )
    if summarised:
        query = query.outerjoin(LearnerActivity, LearnerActivity.learner_id == Enrolment.learner_id)
    return query.where(
        Enrolment.status == EnrolmentStatus.ACTIVE,
        Enrolment.enrolled_on <= cutoff,
        *dormant,
        scope.where(Programme.id),
        filters.programme(Programme.id),
    ).order_by(Programme.code, User.name, Learner.learner_number, Enrolment.id)


def _dormant(row) -> Dormant:
    number, name, email, code, version, enrolled_on, last_year, last_at = row
    return Dormant(number, name, email, code, version, enrolled_on, last_year, last_at)


def dormant_page(
    scope: Scope, filters: Filters, today: date, page: int = 1, per_page: int = 100, summarised: bool = False
) -> Page[Dormant]:
    """One page of the dropout-risk list and its size: two statements."""
    return paged(_dormant_query(scope, filters, today, summarised), _dormant, page, per_page)


def activity_time() -> datetime | None:
    """When the dropout-risk list was last computed (None: never, the report reads live)."""
    return db.session.scalar(sa.select(ReportSummary.computed_at).where(ReportSummary.name == DORMANT))


def dormant_summary_rows(today: date) -> sa.Select:
    """The dropout-risk list for every programme as of ``today`` (the summary's rows), from the
    learners' activity summary."""
    return _dormant_query(Scope(None), Filters(), today, summarised=True, keys=True).order_by(None)


DORMANT_COLUMNS = [
    "enrolment_id",
    "programme_id",
    "learner_number",
    "name",
    "email",
    "programme_code",
    "version",
    "enrolled_on",
    "last_registration_year",
    "last_result_at",
]


def summarised_dormant_page(scope: Scope, filters: Filters, page: int = 1, per_page: int = 100) -> Page[Dormant]:
    """One page of the list as last computed, read in its order from the summary's indexes: two
    statements, the count going a few pages ahead only."""
    line = DormantEnrolment
    query = (
        sa.select(
            line.learner_number,
            line.name,
            line.email,
            line.programme_code,
            line.version,
            line.enrolled_on,
            line.last_registration_year,
            line.last_result_at,
        )
        .where(scope.where(line.programme_id), filters.programme(line.programme_id))
        .order_by(line.programme_code, line.name, line.learner_number, line.enrolment_id)
    )
    found = paginate(query, page, per_page, look_ahead=LOOK_AHEAD)
    return found.with_rows([_dormant(row) for row in found.rows])


def dormant_stream(scope: Scope, filters: Filters, today: date) -> Iterator[Dormant]:
    """The whole list, fetched by batches (for exports): one statement."""
    query = _dormant_query(scope, filters, today).execution_options(yield_per=1000)
    for row in db.session.execute(query):
        yield _dormant(row)
