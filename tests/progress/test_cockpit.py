"""The learner's dashboard and requirement tree: what the engine says, in a constant number of
statements, for the learner only."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner, User
from lms.accounts.queries import learner_by_number
from lms.catalog.models import Unit
from lms.core.time import utcnow
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress import cockpit
from lms.progress.audit.engine import audit
from lms.progress.audit.report import missing_leaves
from lms.progress.queries import catalogue_from_database
from lms.progress.records import learner_record
from lms.timetable.models import Registration
from tests.helpers import client_for, count_statements

PASSWORD = "demo-lms-2026"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def engine_audit(app, number: str, programme: str) -> dict:
    with app.app_context():
        catalog = catalogue_from_database()
        learner = learner_by_number(number)
        version = next(v for (code, v) in catalog.programs if code == programme)
        return audit(
            catalog.programs[(programme, version)],
            catalog.units,
            catalog.equivalences,
            learner_record(learner),
            utcnow().date(),
        )


def test_dashboard_shows_the_engines_figures_and_next_steps(demo_app):
    page = client_for(demo_app, "apprenant@example.org", PASSWORD).get("/me/")
    assert page.status_code == 200
    body = text(page.text)
    for programme in ("LG02501A", "CC0400A"):
        result = engine_audit(demo_app, "100000W", programme)
        assert f"{result['missing_ects']} ECTS restant à valider" in body
        assert result["to_complete"], "the demo learner has units left"
        for code in result["to_complete"]:
            assert code in body
    assert "vous la suivez cette année" in body or "you are taking it this year" in body


def test_next_steps_add_up_to_the_missing_ects(demo_app):
    with demo_app.app_context():
        learner = learner_by_number("100000W")
        for progress in cockpit.dashboard(learner, utcnow().date()):
            assert sum(step.ects for step in progress.steps) == progress.snapshot.missing_ects


def test_requirement_tree_says_how_each_unit_counts_and_where_to_take_the_missing_ones(demo_app):
    client = client_for(demo_app, "apprenant@example.org", PASSWORD)
    page = client.get("/me/programmes/lg02501a")
    assert page.status_code == 200
    body = text(page.text)
    result = engine_audit(demo_app, "100000W", "LG02501A")
    assert "L1" in body and "3 parcours possibles" in body
    assert "par un crédit" in body or "by a credit" in body  # the demo learner's VES credits
    with demo_app.app_context():
        offered = cockpit.next_offerings(missing_leaves(result["requirements"]), utcnow().date())
    assert offered, "some missing unit of the licence is offered"
    assert "Prochaines sessions" in body or "Next offerings" in body
    assert client.get("/me/programmes/MR12202A").status_code == 404  # not enrolled


def learner_with_short_history(app) -> tuple[str, str]:
    """(e-mail, a programme code) of the enrolled demo learner with the fewest registrations."""
    from lms.catalog.models import Programme, ProgrammeVersion
    from lms.progress.models import ProgressSnapshot

    with app.app_context():
        counts = (
            sa.select(User.email, sa.func.min(Programme.code), sa.func.count(Registration.id.distinct()).label("n"))
            .select_from(Learner)
            .join(User, Learner.user_id == User.id)
            .join(Enrolment, Enrolment.learner_id == Learner.id)
            .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
            .join(Programme, ProgrammeVersion.programme_id == Programme.id)
            .join(ProgressSnapshot, ProgressSnapshot.enrolment_id == Enrolment.id)
            .outerjoin(Registration, Registration.learner_id == Learner.id)
            .where(ProgressSnapshot.missing_ects > 0)  # next steps to show, as for the demo learner
            .group_by(Learner.id, User.email)
            .order_by(sa.text("n"), User.email)
        )
        email, programme, n = db.session.execute(counts).first()
        assert n < 10
        return email, programme


@pytest.mark.sqlite_only
def test_pages_run_a_constant_number_of_statements(demo_app):
    email, programme = learner_with_short_history(demo_app)
    short, long = client_for(demo_app, email, PASSWORD), client_for(demo_app, "apprenant@example.org", PASSWORD)
    for client in (short, long):
        client.get("/me/")  # audits stored before the pages are measured
    for short_url, long_url in (("/me/", "/me/"), (f"/me/programmes/{programme}", "/me/programmes/LG02501A")):
        with count_statements(demo_app) as few:
            assert short.get(short_url).status_code == 200
        with count_statements(demo_app) as many:
            assert long.get(long_url).status_code == 200
        assert len(few) == len(many), (short_url, sorted(set(few) ^ set(many)))


@pytest.mark.sqlite_only
def test_only_learners_see_their_cockpit(demo_app):
    assert demo_app.test_client().get("/me/").status_code == 302
    assert client_for(demo_app, "enseignant@example.org", PASSWORD).get("/me/").status_code == 403
    assert client_for(demo_app, "directeur@example.org", PASSWORD).get("/me/programmes/LG02501A").status_code == 403


def test_units_used_in_the_tree_exist(demo_app):
    with demo_app.app_context():
        result = engine_audit(demo_app, "100000W", "LG02501A")
        codes = cockpit.leaf_codes(result["requirements"])
        assert len(cockpit.units_by_code(codes)) == db.session.scalar(
            sa.select(sa.func.count(Unit.id)).where(Unit.code.in_(codes))
        )


@pytest.mark.sqlite_only
def test_planner_pages_run_a_constant_number_of_statements(demo_app):
    email, programme = learner_with_short_history(demo_app)
    with demo_app.app_context():
        from lms.catalog.models import Programme, ProgrammeVersion

        def enrolment_id(user_email: str, code: str) -> int:
            return db.session.scalar(
                sa.select(Enrolment.id)
                .join(Learner)
                .join(User, Learner.user_id == User.id)
                .join(ProgrammeVersion)
                .join(Programme)
                .where(User.email == user_email, Programme.code == code)
            )

        short_id, long_id = enrolment_id(email, programme), enrolment_id("apprenant@example.org", "LG02501A")
    short, long = client_for(demo_app, email, PASSWORD), client_for(demo_app, "apprenant@example.org", PASSWORD)
    short.get(f"/me/plan/{short_id}")  # the process loads the catalogue once: not part of any page's count
    for short_url, long_url in (("/me/plan", "/me/plan"), (f"/me/plan/{short_id}", f"/me/plan/{long_id}")):
        with count_statements(demo_app) as few:
            assert short.get(short_url).status_code == 200
        with count_statements(demo_app) as many:
            assert long.get(long_url).status_code == 200
        assert len(few) == len(many), (short_url, sorted(set(few) ^ set(many)))
