"""The national-size data set (lms/demo/bulk): deterministic, within every constraint of the
models, audited and shown like any learner's data, its size following N. A small set over the
six-programme demo catalogue, on both engines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner, Role, User
from lms.accounts.queries import account_page
from lms.catalog.models import Programme
from lms.core.search import fold
from lms.demo import DEMO_PASSWORD
from lms.demo.bulk import BulkSettings, load_bulk
from lms.demo.bulk.plan import FIRST_NUMBER
from lms.demo.bulk.tables import COLUMNS
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.progress.models import AuditStatus, ProgressSnapshot
from lms.progress.services import refresh_progress
from lms.results.models import Result
from lms.timetable.models import Offering, Registration, offering_tutors
from tests.conftest import make_app
from tests.helpers import client_for

TODAY = date(2026, 12, 4)
SMALL = BulkSettings(learners=300, centres=2, years=2, seed=7, today=TODAY)


def test_every_required_column_is_filled():
    """A NOT NULL column with no server default would make the insert fail: the generator lists
    every one (and the tables it fills exist with these columns)."""
    for table_name, columns in COLUMNS.items():
        table = db.metadata.tables[table_name]
        assert set(columns) <= set(table.c.keys()), table_name
        required = {
            c.name
            for c in table.c
            if not c.nullable and c.server_default is None and not (c.primary_key and c.autoincrement is True)
        }
        assert required - {"id"} <= set(columns), (table_name, required - set(columns))


@pytest.fixture
def bulk_apps(templates, backend, tmp_path):
    """Apps on fresh copies of the demo database; each test loads what it needs."""
    made = []

    def new_app():
        folder = tmp_path / f"db{len(made)}"
        folder.mkdir()
        url = templates.copy(backend, "demo", folder)
        app = make_app(url)
        made.append((app, url))
        return app

    yield new_app
    for app, url in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        templates.release(backend, url)


def load(app, settings: BulkSettings = SMALL):
    with app.app_context():
        summary = load_bulk(settings, DEMO_PASSWORD)
        db.session.commit()
        return summary


def sample(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Learner.learner_number, User.email, Offering.academic_year, Result.exam_session, Result.grade)
            .join(User, User.id == Learner.user_id)
            .join(Registration, Registration.learner_id == Learner.id)
            .join(Offering, Offering.id == Registration.offering_id)
            .join(Result, Result.registration_id == Registration.id)
            .where(Learner.learner_number >= str(FIRST_NUMBER))
            .order_by(Result.id)
            .limit(200)
        )
        return [tuple(str(value) for value in row) for row in rows]


def test_same_seed_same_data_and_sizes_follow_n(bulk_apps):
    first, second, double = bulk_apps(), bulk_apps(), bulk_apps()
    one = load(first)
    assert load(second).rows == one.rows
    assert sample(first) == sample(second) and len(sample(first)) == 200
    two = load(double, BulkSettings(learners=600, centres=2, years=2, seed=7, today=TODAY))
    rows = one.rows
    assert rows["learners"] == 300 and two.rows["learners"] == 600
    assert rows["centres"] == two.rows["centres"] == 2 and rows["users"] == 300 + 2 * 25
    assert rows["offerings"] == two.rows["offerings"]  # the places do not depend on N
    for table in ("enrolments", "registrations", "results", "result_history", "applications"):
        assert 1.6 < two.rows[table] / rows[table] < 2.4, table
    # sessions 1 and 2, credits, awards with their registry entry, sampled attendance
    assert rows["results"] > rows["registrations"] * 0.5 and rows["credits"] > 0
    assert rows["awards"] == rows["issued_documents"] > 0 and rows["attendance"] > 0


def test_rows_meet_the_models_and_read_back(bulk_apps, backend):
    app = bulk_apps()
    load(app)  # every CHECK, unique and foreign key was checked as the rows went in
    with app.app_context():
        if backend == "sqlite":
            assert db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        else:  # the sequences moved past the ids given: the ORM can add rows after the bulk ones
            user = User(email="apres.bulk@example.org", name="Après Bulk")
            db.session.add(user)
            db.session.flush()
            assert user.id > db.session.scalar(sa.select(sa.func.max(Learner.user_id)))
            db.session.rollback()
        sessions = dict(
            db.session.execute(sa.select(Result.exam_session, sa.func.count()).group_by(Result.exam_session)).all()
        )
        assert sessions[1] > sessions[2] > 0
        # only a failed or absent session 1 goes to session 2
        second_after_pass = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Result)
            .where(
                Result.exam_session == 2,
                Result.registration_id.in_(
                    sa.select(Result.registration_id).where(Result.exam_session == 1, Result.grade >= 10)
                ),
            )
        )
        assert second_after_pass == 0
        statuses = set(db.session.scalars(sa.select(Enrolment.status).distinct()))
        assert {EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED, EnrolmentStatus.WITHDRAWN} <= statuses
        # found by the accounts search like any account (the search key written by the generator)
        user = db.session.scalar(sa.select(User).where(User.email.like("%@auditeurs.example.org")).order_by(User.id))
        words = fold(user.name).upper().split()
        found = account_page(" ".join(words), role=Role.LEARNER, per_page=500)
        assert user.id in {line.user.id for line in found.rows}
        # the demo accounts are untouched and no generated account collides with them
        assert db.session.scalar(sa.select(sa.func.count()).where(User.email == "apprenant@example.org")) == 1


def generated_learner(with_award: bool = False) -> Learner:
    query = (
        sa.select(Learner)
        .join(Enrolment, Enrolment.learner_id == Learner.id)
        .where(Learner.learner_number >= str(FIRST_NUMBER))
        .order_by(Learner.id)
    )
    if with_award:
        query = query.where(Enrolment.status == EnrolmentStatus.COMPLETED)
    return db.session.scalars(query).first()


def test_a_generated_learner_is_audited_and_sees_their_pages(bulk_apps):
    app = bulk_apps()
    load(app)
    with app.app_context():
        learner = generated_learner()
        awarded = generated_learner(with_award=True)
        assert refresh_progress([learner.id, awarded.id], as_of=TODAY) >= 2
        db.session.commit()
        snapshots = db.session.execute(
            sa.select(Enrolment.status, ProgressSnapshot.status, ProgressSnapshot.earned_ects)
            .join(ProgressSnapshot, ProgressSnapshot.enrolment_id == Enrolment.id)
            .where(Enrolment.learner_id.in_([learner.id, awarded.id]))
        ).all()
        assert any(earned > 0 for _, _, earned in snapshots)
        # an award is given only for a path the audit finds complete
        assert all(
            audit is AuditStatus.COMPLETE for status, audit, _ in snapshots if status is EnrolmentStatus.COMPLETED
        )
        email = learner.user.email
        code = db.session.scalar(
            sa.select(Programme.code)
            .join(Enrolment, Enrolment.programme_id == Programme.id)
            .where(Enrolment.learner_id == learner.id)
        ).lower()
        tutor_email, offering_id = db.session.execute(
            sa.select(User.email, Offering.id)
            .join(offering_tutors, offering_tutors.c.user_id == User.id)
            .join(Offering, Offering.id == offering_tutors.c.offering_id)
            .where(User.email.like("%@enseignants.example.org"), Offering.academic_year == 2025)
            .order_by(Offering.id)
        ).first()
    client = client_for(app, email, DEMO_PASSWORD)  # the shared password of the generated accounts
    for path in ("/me/", "/me/timeline", f"/me/programmes/{code}", "/timetable", "/results/mine"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    tutor = client_for(app, tutor_email, DEMO_PASSWORD)
    for path in ("/results/offerings", f"/results/offerings/{offering_id}/sessions/1"):
        response = tutor.get(path)
        assert response.status_code == 200, (path, response.status_code)


@pytest.mark.sqlite_only
def test_demo_command_with_centres(app, tmp_path: Path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--catalogue", "six", "--learners", "120", "--centres", "1", "--years", "2"])
    assert result.exit_code == 0, result.output
    assert "Bulk data set: 120 learners at 1 centres" in result.output
    assert "lms progress refresh" in result.output
    with app.app_context():
        generated = db.session.scalar(
            sa.select(sa.func.count()).select_from(Learner).where(Learner.learner_number >= str(FIRST_NUMBER))
        )
        assert generated == 120
    # the stored audits of every learner, the generated ones included
    result = runner.invoke(args=["progress", "refresh"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        missing = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Enrolment)
            .outerjoin(ProgressSnapshot, ProgressSnapshot.enrolment_id == Enrolment.id)
            .where(ProgressSnapshot.id.is_(None))
        )
        assert missing == 0


def test_a_failed_write_reaches_the_generating_side():
    """The writing thread's error is raised where the rows are generated, and nothing after the
    failing chunk is written (the caller's transaction then rolls everything back)."""
    from lms.demo.bulk.pipeline import BackgroundWriter
    from lms.demo.bulk.tables import Rows

    class Failing:
        def __init__(self):
            self.chunks = 0

        def write(self, rows):
            self.chunks += 1
            if self.chunks == 2:
                raise ValueError("constraint failed")

    writer = Failing()
    background = BackgroundWriter(writer)
    with pytest.raises(ValueError, match="constraint failed"):
        try:
            for _ in range(10):
                background.write(Rows(users=[(1,)]))
        finally:
            background.close()
    assert writer.chunks == 2
