"""The task queue with real consumer processes, on a SQLite queue file and on Redis, on both
database engines: a task waits for a consumer and survives its restart, a failing task is tried
again then reported on its job, a periodic task runs with no cron, a job's output downloads."""

from __future__ import annotations

import sqlalchemy as sa

from lms.core import jobs
from lms.core.models import BackgroundJob, JobStatus
from lms.core.tasks import enqueue
from lms.extensions import db
from tests.tasks.conftest import wait_for
from tests.tasks.probe_plugin import probe_always_fails, probe_job, probe_note


def test_a_task_queued_while_no_consumer_runs_is_done_by_the_next_one(queue):
    app = queue.app()
    first = queue.start_consumer()
    with app.app_context():
        enqueue(probe_note, "notes", "before")
        wait_for(lambda: queue.lines("notes"), queue)
        queue.stop(first)
        enqueue(probe_note, "notes", "while-stopped")  # no consumer: it waits in the queue
        db.session.commit()
    second = queue.start_consumer()
    lines = wait_for(lambda: len(queue.lines("notes")) == 2 and queue.lines("notes"), queue)
    assert [line.split()[0] for line in lines] == ["before", "while-stopped"]
    assert int(lines[1].split()[1]) == second.pid  # the new consumer did it


def test_a_rolled_back_transaction_queues_nothing(queue):
    app = queue.app()
    queue.start_consumer()
    with app.app_context():
        db.session.execute(sa.select(1))  # a transaction is open: the task waits for its commit
        enqueue(probe_note, "notes", "rolled-back")
        db.session.rollback()
        db.session.execute(sa.select(1))
        enqueue(probe_note, "notes", "committed")
        db.session.commit()
    wait_for(lambda: queue.lines("notes"), queue)
    assert [line.split()[0] for line in queue.lines("notes")] == ["committed"]


def test_a_failing_task_is_tried_again_then_its_job_is_marked_failed(queue):
    app = queue.app()
    queue.start_consumer()
    with app.app_context():
        job = jobs.start("probe", "probe", 1, None)
        enqueue(probe_always_fails, job.id)
        db.session.commit()
        job_id = job.id

    def failed():
        with app.app_context():
            return db.session.get(BackgroundJob, job_id).status is JobStatus.FAILED

    wait_for(failed, queue)
    assert len(queue.lines("attempts")) == 3  # the first try and its two retries
    with app.app_context():
        assert "the probe fails on purpose" in db.session.get(BackgroundJob, job_id).error
    assert "failed for the last time" in queue.logs()


def test_a_periodic_task_runs_without_a_cron(queue):
    queue.start_consumer()
    wait_for(lambda: queue.lines("periodic"), queue)  # every minute, the first as the consumer starts


def test_a_job_done_by_a_consumer_is_downloaded_from_its_page(queue):
    from lms.accounts import services as accounts
    from lms.accounts.models import Role
    from tests.helpers import login

    app = queue.app()
    queue.start_consumer()
    with app.app_context():
        user = accounts.create_user("jobs@example.org", "Job Owner", [Role.ADMIN], password="long enough pw")
        job = jobs.start("probe", "Probe", 1, user.id)
        enqueue(probe_job, job.id, None)
        db.session.commit()
        job_id = job.id
    client = app.test_client()
    login(client, "jobs@example.org", "long enough pw")
    status = wait_for(lambda: (s := client.get(f"/jobs/{job_id}/status").get_json())["finished"] and s, queue)
    assert status["status"] == "done" and status["download"] and status["percent"] == 100
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200 and download.data == b"probe output"
    assert "probe.txt" in download.headers["Content-Disposition"]
    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 200 and b"probe.txt" in page.data
