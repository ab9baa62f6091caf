"""Report summaries kept current by the task queue: recomputed after results are published (once
for a burst of publications) and every ten minutes, in one transaction each, so a report reads
the last complete summary and says when it was computed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from lms.core.tasks import enqueue, periodic, task
from lms.core.time import utcnow
from lms.extensions import db
from lms.reports.models import ReportSummary, UnitResultCount
from lms.reports.queries.units import VALIDATION, live_counts


def refresh_validation_summary() -> int:
    """Recompute the validation-rate summary from the published results; how many lines."""
    counts = live_counts()
    db.session.execute(sa.delete(UnitResultCount))
    columns = ["academic_year", "unit_id", "exam_session", "graded", "validated", "absent"]
    db.session.execute(sa.insert(UnitResultCount).from_select(columns, counts))
    now = utcnow()
    if not db.session.execute(
        sa.update(ReportSummary).where(ReportSummary.name == VALIDATION).values(computed_at=now)
    ).rowcount:
        db.session.add(ReportSummary(name=VALIDATION, computed_at=now))
    db.session.flush()
    return db.session.scalar(sa.select(sa.func.count()).select_from(UnitResultCount)) or 0


def summaries_wanted() -> None:
    """Results changed in this transaction: recompute the summaries once it has committed."""
    session = db.session()
    if not session.info.get(WANTED):
        session.info[WANTED] = True
        enqueue(refresh_summaries, utcnow().isoformat())


WANTED = "lms.reports.summaries_wanted"


@sa.event.listens_for(sa.orm.Session, "after_transaction_end")
def _forget_wanted(session: sa.orm.Session, transaction: sa.orm.SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(WANTED, None)


@task(retries=2, retry_delay=30)
def refresh_summaries(requested_at: str | None = None) -> None:
    """Recompute, unless a run that started after the request already did (a burst of
    publications costs one or two recomputations, not one each)."""
    done = db.session.scalar(sa.select(ReportSummary.computed_at).where(ReportSummary.name == VALIDATION))
    if requested_at is not None and done is not None and done >= datetime.fromisoformat(requested_at):
        return
    refresh_validation_summary()


@periodic(minute="*/10")
def refresh_summaries_regularly() -> None:
    """Every ten minutes: what no publication announced (imports, corrections in bulk) shows too."""
    refresh_validation_summary()
