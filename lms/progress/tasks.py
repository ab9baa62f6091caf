"""Progress's background work: a catalogue-wide re-audit, in batches, as a job; and the
re-audit of a large set of named learners (a bulk results import), in batches, as a job too.

A catalogue or equivalence import, or a programme version changed, concerns every learner: rather
than re-auditing 200,000 of them inside the request, the change's transaction starts a job and the
consumer re-audits them batch by batch, each batch its own transaction (idempotent: re-auditing a
learner twice stores the same snapshot). The page of the import follows the job's progress."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from lms.core import jobs
from lms.core.i18n import lazy_gettext as _l
from lms.core.tasks import enqueue, periodic, task
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.services import REAUDIT_BATCH, enrolled_learner_ids, refresh_in_batches

log = logging.getLogger(__name__)
REAUDIT = "reaudit"
REAUDIT_LEARNERS = "reaudit-learners"
QUEUE_FROM = 5000  # more learners than this in one change: re-audited on the task queue
LABEL = _l("Re-audit of every learner")
LEARNERS_LABEL = _l("Re-audit of the learners of a bulk change")


def start_reaudit(reason: str, created_by_id: int | None = None) -> int:
    """Start re-auditing every enrolled learner after this transaction commits; the job's id."""
    total = db.session.scalar(sa.select(sa.func.count(sa.distinct(Enrolment.learner_id)))) or 0
    job = jobs.start(REAUDIT, str(LABEL), total, created_by_id)  # in the words of who started it
    enqueue(reaudit_batch, job.id, None)
    return job.id


@task(retries=3, retry_delay=5, resumes=REAUDIT)
def reaudit_batch(job_id: int, position: int | None) -> None:
    job = jobs.claim(job_id, position)
    if job is None:
        return  # done already, or a duplicate of a batch another consumer did
    ids = enrolled_learner_ids(after=position, limit=REAUDIT_BATCH)
    refresh_in_batches(ids, bulk=True)  # one batch: this task's transaction
    jobs.advance(job, len(ids), ids[-1] if ids else position)
    if len(ids) < REAUDIT_BATCH:
        jobs.finish(job)
    else:
        enqueue(reaudit_batch, job_id, ids[-1])


def start_reaudit_of(learner_ids, reason: str, created_by_id: int | None = None) -> int:
    """Re-audit these learners on the task queue, :data:`REAUDIT_BATCH` at a time, once this
    transaction commits; the job's id. Until the consumer gets there, their stored progress is that
    of before the change (as after a catalogue change). ``reason`` goes to the log, not the page."""
    ids = sorted(set(learner_ids))
    job = jobs.start(REAUDIT_LEARNERS, str(LEARNERS_LABEL), len(ids), created_by_id, params={"learners": ids})
    log.info("re-audit of %d learners queued as job %d: %s", len(ids), job.id, reason)
    enqueue(reaudit_learners, job.id, 0)
    return job.id


@task(retries=3, retry_delay=5, resumes=REAUDIT_LEARNERS)
def reaudit_learners(job_id: int, position: int | None) -> None:
    """One batch of :func:`start_reaudit_of`, from ``position`` in its list of learners; then the
    next (a duplicate finds the job moved on and does nothing; a lost one is resumed)."""
    job = jobs.claim(job_id, position or 0)
    if job is None:
        return
    start = position or 0
    ids = (job.params or {}).get("learners", [])[start : start + REAUDIT_BATCH]
    refresh_in_batches(ids, bulk=True)  # one batch: this task's transaction
    jobs.advance(job, len(ids), start + len(ids))
    if start + len(ids) >= job.total:
        jobs.finish(job)
    else:
        enqueue(reaudit_learners, job_id, start + len(ids))


@periodic(hour="6", minute="30")
def registration_window_notices() -> int:
    """Each morning: learners whose saved plan holds an offering now open for registration."""
    from lms.progress.study_plans import notify_opening_windows

    return notify_opening_windows()
