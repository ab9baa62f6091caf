"""Stored audits: the demo computes them, and refresh_progress follows a new result at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import Learner
from lms.accounts.queries import learner_by_number
from lms.catalog.models import Programme, ProgrammeVersion, Unit
from lms.core import jobs
from lms.core.models import BackgroundJob, JobStatus
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.audit.engine import audit
from lms.progress.models import ProgressSnapshot
from lms.progress.queries import catalogue_from_database
from lms.progress.records import learner_record
from lms.progress.services import refresh_progress
from lms.results.models import Result, ResultStatus
from lms.timetable.models import Offering, Registration, RegistrationStatus
from tests.helpers import login

DEMO_LEARNER = "100000W"


def licence_snapshot(learner: Learner) -> ProgressSnapshot:
    return db.session.scalar(
        sa.select(ProgressSnapshot)
        .join(Enrolment)
        .join(ProgrammeVersion)
        .join(Programme)
        .where(Enrolment.learner_id == learner.id, Programme.code == "LG02501A")
    )


def test_demo_stores_one_audit_per_enrolment(demo_app):
    with demo_app.app_context():
        enrolments = db.session.scalar(sa.select(sa.func.count(Enrolment.id)))
        assert db.session.scalar(sa.select(sa.func.count(ProgressSnapshot.id))) == enrolments
        learner = learner_by_number(DEMO_LEARNER)
        snapshot = licence_snapshot(learner)
        catalog = catalogue_from_database()
        program = next(p for (code, _), p in catalog.programs.items() if code == "LG02501A")
        fresh = audit(
            program,
            catalog.units,
            catalog.equivalences,
            learner_record(learner, snapshot.computed_at.date()),
            snapshot.computed_at.date(),
        )
        assert snapshot.result == fresh
        assert snapshot.earned_ects == Decimal(str(fresh["earned_ects"])) > 0


def test_a_new_published_result_moves_the_snapshot(demo_app):
    today = date(2026, 11, 22)
    with demo_app.app_context():
        learner = learner_by_number(DEMO_LEARNER)
        refresh_progress([learner.id], as_of=today)
        before = licence_snapshot(learner)
        earned, missing = before.earned_ects, before.missing_ects
        taught = set(db.session.scalars(sa.select(Unit.code).join(Offering, Offering.unit_id == Unit.id)))
        missing_leaf = next(
            leaf
            for leaf in _leaves(before.result["requirements"])
            if leaf["status"] == "unmet" and leaf["unit"] in taught and not leaf["unit"].startswith("UA")
        )
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == missing_leaf["unit"]))
        offering = db.session.scalar(
            sa.select(Offering).where(Offering.unit_id == unit.id).order_by(Offering.academic_year)
        )
        registration = Registration(
            learner_id=learner.id, offering_id=offering.id, status=RegistrationStatus.REGISTERED
        )
        db.session.add(registration)
        db.session.add(
            Result(
                registration=registration,
                exam_session=1,
                grade=Decimal("14.5"),
                status=ResultStatus.PUBLISHED,
                decided_on=date(2025, 6, 1),
            )
        )
        db.session.flush()
        refresh_progress([learner.id], as_of=today)
        after = licence_snapshot(learner)
        assert after.earned_ects == earned + unit.ects
        assert missing is None or after.missing_ects <= missing
        db.session.commit()


def test_learner_home_shows_stored_progress(demo_app):
    client = demo_app.test_client()
    login(client, "apprenant@example.org", "demo-lms-2026")
    page = client.get("/").text
    assert "Total nominal" in page and 'class="progress-stack"' in page and "restant à valider" in page


def _leaves(node):
    if node["kind"] == "unit":
        yield node
    for child in node["children"]:
        yield from _leaves(child)


def test_progress_refresh_command(demo_app):
    runner = demo_app.test_cli_runner()
    one = runner.invoke(args=["progress", "refresh", "--learner", DEMO_LEARNER, "--as-of", "2026-11-22"])
    assert one.exit_code == 0 and "2 enrolments audited." in one.output
    unknown = runner.invoke(args=["progress", "refresh", "--learner", "NOPE"])
    assert unknown.exit_code == 2 and "unknown learner number NOPE" in unknown.output
    everyone = runner.invoke(args=["progress", "refresh"])
    assert everyone.exit_code == 0 and "222 enrolments audited." in everyone.output


def test_importing_an_equivalence_re_audits_learners(demo_app, tmp_path):
    """A learner holding ANG100 and BCA001 but not NFA031: once an equivalence "ANG100 + BCA001
    count as NFA031" is imported, their stored licence audit shows NFA031 met via equivalence."""
    from lms.accounts import services as accounts
    from lms.accounts.models import Role
    from lms.catalog.services import apply_import, plan_import
    from lms.demo import CATALOG_DIR
    from lms.progress.audit.catalogue import read_catalog

    with demo_app.app_context():
        user = accounts.create_user("eq@example.org", "Eq Learner", [Role.LEARNER], password="long enough pw")
        learner = user.learner
        version = db.session.scalar(sa.select(ProgrammeVersion).join(Programme).where(Programme.code == "LG02501A"))
        db.session.add(Enrolment(learner=learner, programme_version=version, enrolled_on=date(2024, 9, 1)))
        for code in ("ANG100", "BCA001"):
            offering = db.session.scalar(
                sa.select(Offering)
                .join(Unit, Offering.unit_id == Unit.id)
                .where(Unit.code == code, Offering.academic_year == 2024)
            )
            registration = Registration(learner=learner, offering=offering, status=RegistrationStatus.REGISTERED)
            db.session.add(
                Result(
                    registration=registration,
                    exam_session=1,
                    grade=Decimal(13),
                    status=ResultStatus.PUBLISHED,
                    decided_on=date(2025, 2, 3),
                )
            )
        db.session.flush()
        refresh_progress([learner.id])

        def nfa031() -> dict:
            tree = licence_snapshot(learner).result["requirements"]
            return next(leaf for leaf in _leaves(tree) if leaf["unit"] == "NFA031")

        assert nfa031()["status"] == "unmet"
        (tmp_path / "eq.yaml").write_text("equivalences:\n  - {units: [ANG100, BCA001], counts_as: NFA031}\n")
        apply_import(plan_import(read_catalog([CATALOG_DIR, tmp_path / "eq.yaml"])))
        assert nfa031()["status"] == "unmet"  # everyone's re-audit is a job, queued with the commit
        (job_id,) = jobs.started()
        db.session.commit()  # the test's queue runs it at once, batch after batch
        job = db.session.get(BackgroundJob, job_id)
        assert (job.kind, job.status, job.done) == ("reaudit", JobStatus.DONE, job.total)
        assert job.total == db.session.scalar(sa.select(sa.func.count(sa.distinct(Enrolment.learner_id))))
        leaf = nfa031()
        assert leaf["status"] == "met"
        assert {entry["via"] for entry in leaf["applied"]} == {"equivalence"}


def test_the_catalogue_is_read_once_per_transaction(demo_app, monkeypatch):
    import lms.catalog.queries as catalog_queries
    from lms.progress.services import refresh_all

    reads = []
    real = catalog_queries.catalog_from_database
    monkeypatch.setattr(catalog_queries, "catalog_from_database", lambda **kw: reads.append(1) or real(**kw))
    with demo_app.app_context():
        learner_id = learner_by_number(DEMO_LEARNER).id
        refresh_progress([learner_id])
        refresh_progress([learner_id])
        refresh_all(batch=10)  # a batch of batches: still the same catalogue
        assert len(reads) == 1

        db.session.scalar(sa.select(Unit).where(Unit.code == "ANG100")).ects = Decimal(4)
        db.session.flush()  # a catalogue row changed: read again
        refresh_progress([learner_id])
        assert len(reads) == 2
        db.session.execute(sa.update(Unit).where(Unit.code == "ANG100").values(title="Anglais"))
        catalogue_from_database()  # a bulk statement on a catalogue table: read again
        assert len(reads) == 3
        db.session.rollback()
        kept = catalogue_from_database()  # a new transaction: the process's copy, the changes undone
        assert len(reads) == 3
        assert kept.units["ANG100"].ects != Decimal(4) and kept.units["ANG100"].title != "Anglais"


def test_a_catalogue_change_committed_elsewhere_reaches_every_process_copy(demo_app):
    with demo_app.app_context():
        before = catalogue_from_database()
        db.session.rollback()
        assert catalogue_from_database() is before  # nothing changed: the process's copy, no reload
        db.session.rollback()
        with sa.orm.Session(db.engine) as other_worker:  # another worker or host, its own transaction
            other_worker.scalar(sa.select(Unit).where(Unit.code == "ANG100")).title = "Anglais des affaires"
            other_worker.commit()
        after = catalogue_from_database()
        assert after is not before and after.units["ANG100"].title == "Anglais des affaires"
        db.session.rollback()
        with db.engine.begin() as connection:  # a bulk statement through the ORM session's events
            with sa.orm.Session(bind=connection) as bulk:
                bulk.execute(sa.update(Unit).where(Unit.code == "ANG100").values(title="Anglais"))
        assert catalogue_from_database().units["ANG100"].title == "Anglais"
        db.session.rollback()


def test_the_records_of_a_batch_are_each_learners_own_in_five_statements(demo_app):
    from lms.progress.records import learner_records
    from tests.helpers import count_statements

    with demo_app.app_context():
        learners = db.session.scalars(sa.select(Learner).order_by(Learner.id)).all()
        assert len(learners) > 100
        with count_statements(demo_app) as statements:
            batch = learner_records(learners, date(2026, 1, 15))
        assert len(statements) == 5  # whatever the number of learners
        one_by_one = {learner.id: learner_record(learner, date(2026, 1, 15)) for learner in learners}
        assert batch == one_by_one
        assert sum(len(record.results) for record in batch.values()) > 1000  # real histories compared
