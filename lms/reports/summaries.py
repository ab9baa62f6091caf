"""Report summaries (validation rates, learners' last activity) kept current by the task queue: recomputed after results are published (once
for a burst of publications) and every ten minutes, in one transaction each, so a report reads
the last complete summary and says when it was computed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import Learner
from lms.core.db import per_transaction
from lms.core.tasks import enqueue, periodic, task
from lms.core.time import utcnow
from lms.extensions import db
from lms.reports.models import LearnerActivity, ReportSummary, UnitResultCount
from lms.reports.queries.dropouts import ACTIVITY
from lms.reports.queries.units import VALIDATION, live_counts, summary_time
from lms.results.models import Result, ResultStatus
from lms.timetable.models import Offering, Registration, RegistrationStatus


def refresh_validation_summary() -> int:
    """Recompute the validation-rate summary from the published results; how many lines."""
    counts = live_counts()
    db.session.execute(sa.delete(UnitResultCount))
    columns = ["academic_year", "unit_id", "exam_session", "graded", "validated", "absent"]
    db.session.execute(sa.insert(UnitResultCount).from_select(columns, counts))
    _stamp(VALIDATION)
    return db.session.scalar(sa.select(sa.func.count()).select_from(UnitResultCount)) or 0


def refresh_activity_summary() -> int:
    """Recompute each learner's last registration year and last published result; how many lines."""
    registrations = (
        sa.select(Registration.learner_id, sa.func.max(Offering.academic_year).label("last_year"))
        .join(Offering, Registration.offering_id == Offering.id)
        .where(Registration.status != RegistrationStatus.WITHDRAWN)
        .group_by(Registration.learner_id)
        .subquery()
    )
    results = (
        sa.select(Registration.learner_id, sa.func.max(Result.published_at).label("last_at"))
        .join(Result, Result.registration_id == Registration.id)
        .where(Result.status == ResultStatus.PUBLISHED)
        .group_by(Registration.learner_id)
        .subquery()
    )
    rows = (
        sa.select(Learner.id, registrations.c.last_year, results.c.last_at)
        .outerjoin(registrations, registrations.c.learner_id == Learner.id)
        .outerjoin(results, results.c.learner_id == Learner.id)
    )
    db.session.execute(sa.delete(LearnerActivity))
    db.session.execute(
        sa.insert(LearnerActivity).from_select(["learner_id", "last_registration_year", "last_result_at"], rows)
    )
    _stamp(ACTIVITY)
    return db.session.scalar(sa.select(sa.func.count()).select_from(LearnerActivity)) or 0


def _stamp(name: str) -> None:
    now = utcnow()
    if not db.session.execute(
        sa.update(ReportSummary).where(ReportSummary.name == name).values(computed_at=now)
    ).rowcount:
        db.session.add(ReportSummary(name=name, computed_at=now))
    db.session.flush()


def summaries_wanted() -> None:
    """Results changed in this transaction: recompute the summaries once it has committed."""
    session = db.session()
    if not session.info.get(WANTED):
        session.info[WANTED] = True
        enqueue(refresh_summaries, utcnow().isoformat())


WANTED = per_transaction("lms.reports.summaries_wanted")


@task(retries=2, retry_delay=30)
def refresh_summaries(requested_at: str | None = None) -> None:
    """Recompute, unless a run that started after the request already did (a burst of
    publications costs one or two recomputations, not one each)."""
    done = summary_time()
    if requested_at is not None and done is not None and done >= datetime.fromisoformat(requested_at):
        return
    refresh_validation_summary()
    refresh_activity_summary()


@periodic(minute="*/10")
def refresh_summaries_regularly() -> None:
    """Every ten minutes: what no publication announced (registrations, imports) shows too."""
    refresh_validation_summary()
    refresh_activity_summary()
