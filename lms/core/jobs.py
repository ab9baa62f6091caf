"""Jobs: background work someone follows on a page (:class:`~lms.core.models.BackgroundJob`).

A service creates the job in its own transaction and queues the task that does it
(:func:`lms.core.tasks.enqueue`, sent after the commit); the task reports its progress with
:func:`advance` and finishes with :func:`finish`. Batches carry the position they start from:
:func:`claim` refuses a batch whose job has moved on (a duplicate sent again after a consumer
restart, or by a second consumer resuming it), so each batch is done once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from lms.core.db import per_transaction
from lms.core.models import BackgroundJob, JobStatus
from lms.core.tasks import periodic
from lms.core.time import utcnow
from lms.extensions import db

ERROR_MAX = 2000
STALLED_AFTER = timedelta(minutes=5)  # a running job not heard from since: its chain was lost
STARTED = per_transaction("lms.jobs.started")  # session.info: jobs started in this transaction


def start(
    kind: str, label: str, total: int, created_by_id: int | None, params: dict[str, Any] | None = None
) -> BackgroundJob:
    """A new job (``params``: what its batches need to resume, e.g. the learners to re-audit)."""
    job = BackgroundJob(kind=kind, label=label, total=total, created_by_id=created_by_id, position=None, params=params)
    db.session.add(job)
    db.session.flush()
    db.session().info.setdefault(STARTED, []).append(job.id)
    return job


def claim(job_id: int, position: int | None) -> BackgroundJob | None:
    """The job, locked for this batch, if it still stands where the batch starts; else None. (A
    job that has not moved yet stands at None, or at 0 for a job counting from the start.)"""
    job = db.session.scalar(sa.select(BackgroundJob).where(BackgroundJob.id == job_id).with_for_update())
    if job is None or job.finished or (job.position or 0) != (position or 0):
        return None
    job.status = JobStatus.RUNNING
    return job


def advance(job: BackgroundJob, done: int, position: int | None) -> None:
    job.done = min(job.total, job.done + done) if job.total else job.done + done
    job.position = position
    job.updated_at = utcnow()
    db.session.flush()


def finish(
    job: BackgroundJob, output: bytes | None = None, name: str | None = None, media_type: str | None = None
) -> None:
    job.status, job.finished_at = JobStatus.DONE, utcnow()
    job.done = max(job.done, job.total)
    if output is not None:
        job.output, job.output_name, job.output_type = output, name, media_type
    db.session.flush()


def record_failure(job_id: int, error: BaseException | None) -> None:
    """The job's task failed for the last time (called by the queue, in a transaction of its own)."""
    job = db.session.get(BackgroundJob, job_id)
    if job is None or job.finished:
        return
    job.status, job.finished_at = JobStatus.FAILED, utcnow()
    job.error = (f"{type(error).__name__}: {error}" if error is not None else "unknown error")[:ERROR_MAX]
    db.session.commit()


def stalled(now: Any = None) -> list[BackgroundJob]:
    """Unfinished jobs nobody has advanced for :data:`STALLED_AFTER` (their next batch was lost)."""
    return unfinished(not_since=(now or utcnow()) - STALLED_AFTER)


def unfinished(not_since: Any = None) -> list[BackgroundJob]:
    """Jobs queued or running (``not_since``: last advanced before that moment), oldest first."""
    query = sa.select(BackgroundJob).where(BackgroundJob.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
    if not_since is not None:
        query = query.where(BackgroundJob.updated_at < not_since)
    return list(db.session.scalars(query.order_by(BackgroundJob.id)))


def status_of(job: BackgroundJob) -> dict[str, Any]:
    """What the job's page polls."""
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status.value,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.finished,
        "error": job.error,
        "download": bool(job.output_name) and job.status is JobStatus.DONE,
    }


@periodic(minute="*/5")
def resume_stalled_jobs() -> None:
    """A job whose next batch was lost (a consumer killed mid-batch) goes on from where it stands."""
    from lms.core.tasks import task_queue

    task_queue().resume_stalled()


def started(session: Any = None) -> list[int]:
    """Ids of the jobs this transaction started (a page sends its user to follow them)."""
    return list((session or db.session()).info.get(STARTED, ()))


def report_progress(job_id: int, done: int) -> None:
    """How far a job that builds one thing in one transaction stands, told at once to its page: in
    a transaction of its own (the job's own work commits only at its end)."""
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(BackgroundJob)
            .where(BackgroundJob.id == job_id)
            .values(done=done, status=JobStatus.RUNNING, updated_at=utcnow())
        )
