"""Progress's background work: a catalogue-wide re-audit, in batches, as a job.

A catalogue or equivalence import, or a programme version changed, concerns every learner: rather
than re-auditing 200,000 of them inside the request, the change's transaction starts a job and the
consumer re-audits them batch by batch, each batch its own transaction (idempotent: re-auditing a
learner twice stores the same snapshot). The page of the import follows the job's progress."""

from __future__ import annotations

import sqlalchemy as sa

from lms.core import jobs
from lms.core.i18n import lazy_gettext as _l
from lms.core.tasks import enqueue, periodic, task
from lms.extensions import db
from lms.intakes.models import Enrolment

REAUDIT = "reaudit"
REAUDIT_BATCH = 500
LABEL = _l("Re-audit of every learner")


def start_reaudit(reason: str, created_by_id: int | None = None) -> int:
    """Start re-auditing every enrolled learner after this transaction commits; the job's id."""
    total = db.session.scalar(sa.select(sa.func.count(sa.distinct(Enrolment.learner_id)))) or 0
    job = jobs.start(REAUDIT, str(LABEL), total, created_by_id)  # in the words of who started it
    enqueue(reaudit_batch, job.id, None)
    return job.id


@task(retries=3, retry_delay=5, resumes=REAUDIT)
def reaudit_batch(job_id: int, position: int | None) -> None:
    from lms.progress.services import refresh_progress

    job = jobs.claim(job_id, position)
    if job is None:
        return  # done already, or a duplicate of a batch another consumer did
    query = sa.select(Enrolment.learner_id).distinct().order_by(Enrolment.learner_id).limit(REAUDIT_BATCH)
    if position is not None:
        query = query.where(Enrolment.learner_id > position)
    ids = list(db.session.scalars(query))
    if ids:
        refresh_progress(ids, bulk=True)
    jobs.advance(job, len(ids), ids[-1] if ids else position)
    if len(ids) < REAUDIT_BATCH:
        jobs.finish(job)
    else:
        enqueue(reaudit_batch, job_id, ids[-1])


@periodic(hour="6", minute="30")
def registration_window_notices() -> int:
    """Each morning: learners whose saved plan holds an offering now open for registration."""
    from lms.progress.study_plans import notify_opening_windows

    return notify_opening_windows()
