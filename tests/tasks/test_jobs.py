"""Jobs on the tests' immediate queue: a catalogue import re-audits everyone batch by batch after
its commit and sends the admin to a page following it; a duplicate batch does nothing; a job is
its creator's only."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import sqlalchemy as sa

from lms.catalog.models import Unit
from lms.core import jobs
from lms.core.models import BackgroundJob, JobStatus
from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress import tasks as progress_tasks
from lms.progress.models import ProgressSnapshot
from tests.catalog.test_pages import token_in, upload
from tests.helpers import client_for, csrf_token

EQUIVALENCE = "equivalences:\n  - {units: [ANG100, BCA001], counts_as: NFA031}\n"  # concerns every learner


def test_a_catalogue_import_re_audits_everyone_in_batches_and_shows_the_job(demo_app, monkeypatch):
    monkeypatch.setattr(progress_tasks, "REAUDIT_BATCH", 37)
    admin = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    preview = upload(admin, "equivalence.yaml", EQUIVALENCE)
    assert "Aperçu de l’import" in preview.text
    done = admin.post(
        "/catalog/import/confirm", data={"csrf_token": csrf_token(preview.text), "token": token_in(preview.text)}
    )
    assert done.status_code == 302
    location = done.headers["Location"]
    job_id = int(re.fullmatch(r"/jobs/(\d+)\?back=/catalog/import", unquote(location)).group(1))
    with demo_app.app_context():
        job = db.session.get(BackgroundJob, job_id)
        learners = db.session.scalar(sa.select(sa.func.count(sa.distinct(Enrolment.learner_id))))
        assert (job.kind, job.status, job.done, job.total) == ("reaudit", JobStatus.DONE, learners, learners)
        assert learners > 2 * 37  # several batches, each its own transaction
        stale = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ProgressSnapshot)
            .where(ProgressSnapshot.computed_at < job.created_at - timedelta(seconds=1))
        )
        assert stale == 0  # every stored audit was computed again after the import
    page = admin.get(location)
    assert page.status_code == 200 and "Terminé." in page.text and 'href="/catalog/import"' in page.text
    assert "Nouveau calcul du parcours de chaque auditeur" in page.text
    status = admin.get(f"/jobs/{job_id}/status").get_json()
    assert status == {
        "id": job_id, "kind": "reaudit", "status": "done", "done": learners, "total": learners,
        "percent": 100, "finished": True, "error": None, "download": False,
    }  # fmt: skip
    assert admin.get(f"/jobs/{job_id}/download").status_code == 404  # nothing to download

    other = client_for(demo_app, "directeur@example.org", DEMO_PASSWORD)
    for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/status"):
        assert other.get(path).status_code == 404  # someone else's job: not even its existence


def test_a_batch_sent_twice_is_done_once(demo_app):
    with demo_app.app_context():
        job = jobs.start("reaudit", "test", 10, None)
        db.session.flush()
        claimed = jobs.claim(job.id, None)
        assert claimed is job
        jobs.advance(job, 4, 1234)
        assert jobs.claim(job.id, None) is None  # the same first batch again: the job moved on
        assert jobs.claim(job.id, 1234) is job
        jobs.finish(job)
        assert jobs.claim(job.id, 1234) is None  # finished
        assert (job.done, job.status, job.percent) == (10, JobStatus.DONE, 100)
        db.session.rollback()


def test_a_unit_changed_by_a_service_starts_one_job_for_the_transaction(demo_app):
    with demo_app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(BackgroundJob))
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == "NFA031"))
        unit.title = "Programmation Java : les bases"
        db.session.flush()
        unit.ects = unit.ects + 1
        db.session.commit()
        jobs_now = db.session.scalars(sa.select(BackgroundJob).order_by(BackgroundJob.id)).all()
        assert len(jobs_now) == before + 1 and jobs_now[-1].status is JobStatus.DONE


def test_a_task_queued_in_a_savepoint_waits_for_the_outer_commit(demo_app):
    from lms.core.tasks import enqueue
    from tests.tasks.probe_plugin import probe_note

    sent = []
    with demo_app.app_context():
        queue = demo_app.extensions["lms.tasks"]
        real = queue.send
        queue.send = lambda work, args: sent.append(args)
        try:
            db.session.execute(sa.select(1))
            with db.session.begin_nested():
                enqueue(probe_note, "notes", "rolled back with the outer")
            assert sent == []  # the savepoint's release is no commit
            db.session.rollback()
            assert sent == []
            db.session.execute(sa.select(1))
            with db.session.begin_nested():
                enqueue(probe_note, "notes", "kept")
            assert sent == []
            db.session.commit()
            assert sent == [("notes", "kept")]
        finally:
            queue.send = real


def test_a_large_change_re_audits_its_learners_as_a_resumable_job(demo_app, monkeypatch):
    from lms.accounts.models import Learner
    from lms.core.holdings import holdings_changed

    monkeypatch.setattr(progress_tasks, "QUEUE_FROM", 50)
    monkeypatch.setattr(progress_tasks, "REAUDIT_BATCH", 40)
    with demo_app.app_context():
        ids = db.session.scalars(sa.select(Learner.id).order_by(Learner.id).limit(130)).all()
        holdings_changed(ids, "bulk import")  # more than QUEUE_FROM: queued, not re-audited here
        (job_id,) = jobs.started()
        job = db.session.get(BackgroundJob, job_id)
        assert (job.kind, job.total, job.params["learners"]) == ("reaudit-learners", 130, sorted(ids))
        db.session.commit()  # the tests' queue runs the batches at once: 40, 40, 40, 10
        job = db.session.get(BackgroundJob, job_id)
        assert (job.status, job.done, job.position) == (JobStatus.DONE, 130, 130)
        assert jobs.claim(job_id, 40) is None  # a batch sent twice does nothing
        assert [w for w in demo_app.extensions["lms.tasks"].tasks.values() if w.resumes == "reaudit-learners"]
