"""Report summaries kept current by the task queue, so that a report page reads a few thousand
rows (or one page of them) instead of grouping millions of rows at each request: the validation
rates, the learners' last activity and the dropout-risk list, the overview counts, the medians of
time to diploma and the intakes' application counts.

Each is recomputed in one transaction (a report reads the last complete one and says when it was
computed): after a transaction that wrote rows it counts (:func:`_watch`, one recomputation for a
burst of writes) and every ten minutes (what no write announced: the day changing, raw imports).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import Learner, UserRole
from lms.awards.models import Award
from lms.catalog.models import ProgrammeVersion, Unit
from lms.core.db import per_transaction
from lms.core.tasks import enqueue, periodic, task
from lms.core.time import academic_year, utcnow
from lms.extensions import db
from lms.intakes.models import Application, Enrolment, Intake
from lms.reports.models import (
    AwardDuration,
    DormantEnrolment,
    IntakeApplicationCount,
    LearnerActivity,
    OverviewCount,
    ReportSummary,
    UnitResultCount,
)
from lms.reports.queries import DURATIONS, INTAKES, OVERVIEW, overview_counts, summary_moment
from lms.reports.queries.diplomas import duration_lines
from lms.reports.queries.dropouts import ACTIVITY, DORMANT, DORMANT_COLUMNS, dormant_summary_rows
from lms.reports.queries.intakes import live_application_counts
from lms.reports.queries.units import VALIDATION, live_counts
from lms.results.models import Result, ResultStatus
from lms.timetable.models import Offering, Registration, RegistrationStatus


def refresh_validation_summary() -> int:
    """Recompute the validation-rate summary from the published results; how many lines."""
    counts = live_counts()
    db.session.execute(sa.delete(UnitResultCount))
    columns = ["academic_year", "unit_id", "exam_session", "graded", "validated", "absent"]
    db.session.execute(sa.insert(UnitResultCount).from_select(columns, counts))
    _stamp(VALIDATION)
    return _lines(UnitResultCount)


def refresh_activity_summary() -> int:
    """Recompute each learner's last registration year and last published result, then the
    dropout-risk list from them; how many learners."""
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
    db.session.execute(sa.delete(DormantEnrolment))
    db.session.execute(sa.insert(DormantEnrolment).from_select(DORMANT_COLUMNS, dormant_summary_rows(utcnow().date())))
    _stamp(DORMANT)
    return _lines(LearnerActivity)


def refresh_overview_summary() -> int:
    """Recompute the administrators' overview counts (for the academic year current now)."""
    row = db.session.execute(overview_counts(academic_year(utcnow().date()))).one()
    db.session.execute(sa.delete(OverviewCount))
    db.session.execute(
        sa.insert(OverviewCount), [{"name": name, "value": value} for name, value in row._asdict().items()]
    )
    _stamp(OVERVIEW)
    return _lines(OverviewCount)


def refresh_durations_summary() -> int:
    """Recompute every median of the time-to-diploma report; how many lines."""
    lines = duration_lines()
    db.session.execute(sa.delete(AwardDuration))
    if lines:
        db.session.execute(sa.insert(AwardDuration), lines)
    _stamp(DURATIONS)
    return len(lines)


def refresh_intakes_summary() -> int:
    """Recompute the applications of every intake by status; how many lines."""
    db.session.execute(sa.delete(IntakeApplicationCount))
    db.session.execute(
        sa.insert(IntakeApplicationCount).from_select(
            ["intake_id", "status", "applications"], live_application_counts()
        )
    )
    _stamp(INTAKES)
    return _lines(IntakeApplicationCount)


def _lines(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _stamp(name: str) -> None:
    now = utcnow()
    if not db.session.execute(
        sa.update(ReportSummary).where(ReportSummary.name == name).values(computed_at=now)
    ).rowcount:
        db.session.add(ReportSummary(name=name, computed_at=now))
    db.session.flush()


# summary name -> (recomputation, the models whose rows it counts)
SUMMARIES: dict[str, tuple[Callable[[], int], tuple[type, ...]]] = {
    VALIDATION: (refresh_validation_summary, (Result,)),
    ACTIVITY: (refresh_activity_summary, (Result, Registration, Enrolment)),
    OVERVIEW: (
        refresh_overview_summary,
        (Learner, Enrolment, UserRole, Unit, ProgrammeVersion, Offering, Intake, Application),
    ),
    DURATIONS: (refresh_durations_summary, (Award, Enrolment)),
    INTAKES: (refresh_intakes_summary, (Intake, Application)),
}
WANTED = per_transaction("lms.reports.summaries_wanted")  # session.info: the names already queued


def summaries_wanted(*names: str) -> None:
    """Rows counted by these summaries (all when none named) changed in this transaction:
    recompute them once it has committed."""
    session = db.session()
    queued = session.info.setdefault(WANTED, set())
    for name in names or tuple(SUMMARIES):
        if name not in queued:
            queued.add(name)
            enqueue(refresh_summaries, utcnow().isoformat(), name)


def _watch(session, _flush_context, _instances) -> None:
    """Before a flush: the summaries counting the rows it writes are wanted (only in an app whose
    reports area registered its tasks)."""
    from flask import current_app, has_app_context

    if not has_app_context() or refresh_summaries.name not in getattr(
        current_app.extensions.get("lms.tasks"), "tasks", {}
    ):
        return
    changed = {type(obj) for part in (session.new, session.deleted) for obj in part}
    changed |= {type(obj) for obj in session.dirty if _status_changed(obj)}
    if changed:
        names = [name for name, (_f, models) in SUMMARIES.items() if any(issubclass(c, models) for c in changed)]
        queued = session.info.get(WANTED, ())
        if any(name not in queued for name in names):
            summaries_wanted(*names)


def _status_changed(obj) -> bool:
    """An update the summaries count: a status (published, withdrawn, accepted...) or a revocation."""
    attrs = sa.inspect(obj).attrs
    return any(name in attrs and attrs[name].history.has_changes() for name in ("status", "revoked_at"))


sa.event.listen(sa.orm.Session, "before_flush", _watch)


@task(retries=2, retry_delay=30)
def refresh_summaries(requested_at: str | None = None, name: str | None = None) -> None:
    """Recompute the summary ``name`` (every one when None), unless a run that started after the
    request already did (a burst of writes costs one or two recomputations, not one each)."""
    for each in (name,) if name else tuple(SUMMARIES):
        done = summary_moment(each)
        if requested_at is not None and done is not None and done >= datetime.fromisoformat(requested_at):
            continue
        SUMMARIES[each][0]()


@periodic(minute="*/10")
def refresh_summaries_regularly() -> None:
    """Every ten minutes: what no write announced (the day changing, raw imports) shows too."""
    for refresh, _models in SUMMARIES.values():
        refresh()
