"""Background work on a Huey queue: tasks live in the area that owns them, the queue in config/.

An area declares its tasks with :func:`task` or :func:`periodic` and returns them from the
``lms_tasks`` hook; :func:`init_app` builds one Huey per app from the settings:

- ``REDIS_URL`` set: Redis (the production engine, shared by every web host and worker);
- else a SQLite file under instance/ (``TASK_QUEUE_FILE``): nothing to install, ``make run``
  starts its consumer (``lms worker``) beside gunicorn;
- ``TASKS_IMMEDIATE``: each task runs at once in the process that queued it (most tests).

:func:`enqueue` sends a task only once the current transaction has committed, as e-mails are: a
rolled-back request queues nothing, and the consumer always finds the rows the task needs. A task
runs in its own application context and transaction: its work commits when it returns and rolls
back when it raises (Huey then retries it, ``retries`` times). A task that fails for the last time
is logged and, for a job (:mod:`lms.core.jobs`), its page says so.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
PENDING = "lms.tasks.pending"  # session.info: tasks to send once the transaction commits
COMMITTED = "lms.tasks.committed"  # session.info: their transaction committed, sent as it ends


@dataclass(frozen=True)
class Task:
    """A unit of background work: ``func(*args)`` with JSON-like arguments (ids, not objects).

    ``job``: the first argument is the id of a :class:`~lms.core.models.BackgroundJob`, marked
    failed when the task fails for the last time. ``resumes``: the kind of job whose next batch
    this task does from ``(job_id, position)``, sent again for a job left stalled.
    ``schedule``: crontab fields of a periodic task."""

    func: Callable[..., Any]
    name: str
    retries: int = 0
    retry_delay: int = 0
    job: bool = False
    resumes: str | None = None
    schedule: dict[str, str] | None = field(default=None)

    def __call__(self, *args: Any) -> Any:
        """Run here and now, in the caller's transaction (a CLI command, a test)."""
        return self.func(*args)


def task(
    *, retries: int = 0, retry_delay: int = 0, job: bool = False, resumes: str | None = None
) -> Callable[[Callable[..., Any]], Task]:
    def declare(func: Callable[..., Any]) -> Task:
        return Task(func, f"{func.__module__}.{func.__name__}", retries, retry_delay, job or bool(resumes), resumes)

    return declare


def periodic(*, retries: int = 0, retry_delay: int = 0, **crontab: str) -> Callable[[Callable[..., Any]], Task]:
    """A task the consumer queues itself on a schedule: ``@periodic(hour="6", minute="0")``."""

    def declare(func: Callable[..., Any]) -> Task:
        return Task(func, f"{func.__module__}.{func.__name__}", retries, retry_delay, schedule=crontab)

    return declare


def enqueue(work: Task, *args: Any, session: Session | None = None) -> None:
    """Queue ``work(*args)`` once the session's transaction commits (at once when none is open)."""
    if session is None:
        from lms.extensions import db

        session = db.session()
    if session.in_transaction():
        session.info.setdefault(PENDING, []).append((work, args))
    else:
        task_queue().send(work, args)


def task_queue() -> TaskQueue:
    return current_app.extensions["lms.tasks"]


class TaskQueue:
    """One app's Huey and the wrappers of its tasks."""

    def __init__(self, app: Flask, tasks: Iterable[Task]) -> None:
        self.app = app
        self.huey = _make_huey(app)
        self.tasks: dict[str, Task] = {}
        self._wrappers: dict[str, Any] = {}
        for work in tasks:
            self._register(work)
        from huey.signals import SIGNAL_ERROR

        self.huey.signal(SIGNAL_ERROR)(self._failed)

    def _register(self, work: Task) -> None:
        if work.name in self.tasks:
            raise RuntimeError(f"two tasks are named {work.name}")
        self.tasks[work.name] = work
        run = functools.wraps(work.func)(functools.partial(_run_in_app, self.app, work))
        # Huey names a task by its function's module and this name: lms.progress.tasks.reaudit_batch
        options = {"retries": work.retries, "retry_delay": work.retry_delay, "name": work.func.__name__}
        if work.schedule is None:
            wrapper = self.huey.task(**options)(run)
        else:
            from huey import crontab

            wrapper = self.huey.periodic_task(crontab(**work.schedule), **options)(run)
        self._wrappers[work.name] = wrapper

    def send(self, work: Task, args: tuple[Any, ...]) -> Any:
        return self._wrappers[work.name](*args)

    def _failed(self, _signal: str, huey_task: Any, exc: BaseException | None = None) -> None:
        if huey_task.retries:  # Huey will try again
            log.warning("task %s failed (%s): %d more tries", huey_task.name, exc, huey_task.retries)
            return
        log.error("task %s failed for the last time: %r", huey_task.name, exc)
        work = self.tasks.get(f"{type(huey_task).__module__}.{huey_task.name}")  # Huey's name of it
        if work is not None and work.job and huey_task.args:
            from lms.core import jobs

            with self.app.app_context():
                jobs.record_failure(huey_task.args[0], exc)

    def resume_stalled(self, every: bool = False) -> int:
        """Send again the next batch of every job left stalled (``every``: every unfinished job, as a
        consumer starts); a duplicate finds its job moved on and does nothing."""
        from lms.core import jobs

        resumers = {work.resumes: work for work in self.tasks.values() if work.resumes}
        sent = 0
        with self.app.app_context():
            for job in jobs.unfinished() if every else jobs.stalled():
                work = resumers.get(job.kind)
                if work is not None:
                    self.send(work, (job.id, job.position))
                    sent += 1
        return sent

    def consumer(self, workers: int) -> Any:
        return self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True, check_worker_health=True)


def _run_in_app(app: Flask, work: Task, *args: Any) -> Any:
    """A task's own application context and transaction, committed when it returns."""
    from lms.extensions import db

    with app.app_context():
        try:
            outcome = work.func(*args)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
    return outcome


def _make_huey(app: Flask) -> Any:
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    config = app.config
    name = config["TASK_QUEUE_NAME"]
    if config["TASKS_IMMEDIATE"]:
        return MemoryHuey(name, immediate=True, results=False)
    if config.get("REDIS_URL"):
        return RedisHuey(name, url=config["REDIS_URL"], results=False)
    path = Path(app.instance_path) / config["TASK_QUEUE_FILE"]  # an absolute path stays as it is
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), results=False)


def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # SQLAlchemy says after_commit for a released savepoint too: wait for the real commit
    if PENDING in session.info:
        session.info[COMMITTED] = session.info.pop(PENDING)


def _send_committed(session: Session, transaction: Any) -> None:
    """Once the committed transaction has given its connection back (a task run at once, in the
    tests, takes one of its own: holding both would drain the pool under concurrent requests)."""
    if transaction.parent is not None:
        return
    pending = session.info.pop(COMMITTED, [])
    if not pending:
        return
    if not has_app_context():
        log.error("tasks queued outside an application context were dropped: %s", [w.name for w, _ in pending])
        return
    queue = task_queue()
    for work, args in pending:
        try:
            queue.send(work, args)
        except Exception:  # the change is committed: a queue down must not turn it into an error page
            log.exception("could not queue the task %s%r", work.name, args)


def _drop_on_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)


def init_app(app: Flask, tasks: Iterable[Task]) -> None:
    app.extensions["lms.tasks"] = TaskQueue(app, tasks)
    for event, handler in (
        ("after_commit", _committed),
        ("after_transaction_end", _send_committed),
        ("after_soft_rollback", _drop_on_rollback),
    ):
        if not sa.event.contains(Session, event, handler):
            sa.event.listen(Session, event, handler)
