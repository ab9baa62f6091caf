"""Demo data: the real catalogue and a deterministic cohort that looks like real life."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner, Role, User, UserRole
from lms.catalog.models import Programme, ProgrammeVersion, Unit
from lms.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoSettings, load_demo
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.results.models import Credit, CreditSource, Result, ResultHistory
from lms.timetable.models import Offering, Registration
from tests.conftest import make_app


def count(query) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def fingerprint() -> list[tuple]:
    rows = db.session.execute(
        sa.select(
            Learner.learner_number,
            Unit.code,
            Offering.academic_year,
            Result.exam_session,
            Result.grade,
            Result.absent,
            Result.decision,
        )
        .join(Registration, Registration.learner_id == Learner.id)
        .join(Offering, Registration.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Result, Result.registration_id == Registration.id)
    )
    return sorted(tuple(str(v) for v in row) for row in rows)


def test_demo_cohort_looks_like_real_life(demo_app):
    with demo_app.app_context():
        roles = dict(db.session.execute(sa.select(UserRole.role, sa.func.count()).group_by(UserRole.role)).all())
        assert roles == {Role.LEARNER: 200, Role.TUTOR: 10, Role.DIRECTOR: 2, Role.ADMIN: 1}
        assert count(sa.select(Programme)) == 6 and count(sa.select(Unit)) == 151
        years = db.session.scalars(sa.select(sa.func.extract("year", Enrolment.enrolled_on)).distinct()).all()
        assert {int(y) for y in years} == set(range(2019, 2027))
        # sessions 1 and 2, failures and retakes
        sessions = dict(
            db.session.execute(sa.select(Result.exam_session, sa.func.count()).group_by(Result.exam_session)).all()
        )
        assert sessions[1] > 1000 and sessions[2] > 100
        failed = count(sa.select(Result).where(Result.grade < 10))
        assert failed > 100
        retakes = count(
            sa.select(Registration.learner_id, Offering.unit_id)
            .join(Offering, Registration.offering_id == Offering.id)
            .group_by(Registration.learner_id, Offering.unit_id)
            .having(sa.func.count() > 1)
        )
        assert retakes > 10
        sources = set(db.session.scalars(sa.select(Credit.source).distinct()))
        assert {CreditSource.VES, CreditSource.VAE} <= sources
        assert count(sa.select(Credit).where(Credit.source == CreditSource.VES, Credit.programme_id.is_(None))) == 0
        # registrations for the current academic year (2026-2027), without results yet
        current = count(sa.select(Registration).join(Offering).where(Offering.academic_year == 2026))
        assert current > 100
        assert count(sa.select(Result).join(Registration).join(Offering).where(Offering.academic_year == 2026)) == 0
        # every result has its history; tutors teach offerings; directors direct programmes
        assert count(sa.select(ResultHistory)) == 2 * count(sa.select(Result))
        tutor = db.session.scalar(sa.select(User).where(User.email == "enseignant@example.org"))
        assert count(sa.select(Offering).where(Offering.tutors.contains(tutor), Offering.academic_year == 2026)) > 5
        assert all(p.directors for p in db.session.scalars(sa.select(Programme)))
        assert count(sa.select(Enrolment).where(Enrolment.status == EnrolmentStatus.WITHDRAWN)) > 0


def test_demo_learner_has_a_rich_history(demo_app):
    with demo_app.app_context():
        learner = db.session.scalar(sa.select(Learner).join(User).where(User.email == "apprenant@example.org"))
        codes = set(
            db.session.scalars(
                sa.select(Programme.code)
                .join(ProgrammeVersion)
                .join(Enrolment)
                .where(Enrolment.learner_id == learner.id)
            )
        )
        assert codes == {"LG02501A", "CC0400A"}
        assert count(sa.select(Credit).where(Credit.learner_id == learner.id, Credit.source == CreditSource.VES)) == 1
        assert count(sa.select(Registration).where(Registration.learner_id == learner.id)) > 15


@pytest.mark.sqlite_only
def test_demo_is_deterministic(app, tmp_path):
    settings = DemoSettings(learners=25, seed=7)
    with app.app_context():
        load_demo(settings)
        db.session.commit()
        first = fingerprint()
    other = make_app(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with other.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_demo(settings)
        db.session.commit()
        assert fingerprint() == first
        db.engine.dispose()
    assert len(first) > 50


def test_demo_command_refuses_a_database_with_data_and_prints_accounts(demo_app):
    runner = demo_app.test_cli_runner()
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code != 0
    assert "already holds users" in refused.output
    polite = runner.invoke(args=["demo", "--if-empty"])
    assert polite.exit_code == 0
    for _role, email, _name in DEMO_ACCOUNTS:
        assert email in polite.output
    assert DEMO_PASSWORD in polite.output


@pytest.mark.sqlite_only
def test_demo_accounts_log_in(demo_app):
    from tests.helpers import login

    for _role, email, _name in DEMO_ACCOUNTS:
        client = demo_app.test_client()
        response = login(client, email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        assert client.get("/").status_code == 200
