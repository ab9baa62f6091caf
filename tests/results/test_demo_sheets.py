"""On the demo data: the demo tutor's offerings, and publishing a grade re-audits the learner at once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner, User
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.models import ProgressSnapshot
from lms.timetable.models import Offering, Registration
from tests.helpers import login
from tests.results.world import save, sheet_url

DEMO_PASSWORD = "demo-lms-2026"


def snapshots(app, learner_id: int) -> dict[int, tuple]:
    with app.app_context():
        return {
            s.enrolment_id: (s.earned_ects, s.computed_at)
            for s in db.session.scalars(
                sa.select(ProgressSnapshot).join(Enrolment).where(Enrolment.learner_id == learner_id)
            )
        }


@pytest.mark.sqlite_only
def test_demo_tutor_sees_their_offerings_and_sheets(demo_app, demo_client):
    login(demo_client, "enseignant@example.org", DEMO_PASSWORD)
    page = demo_client.get("/results/offerings")
    assert page.status_code == 200
    with demo_app.app_context():
        tutor = db.session.scalar(sa.select(User).where(User.email == "enseignant@example.org"))
        offering = db.session.scalar(
            sa.select(Offering).where(Offering.tutors.contains(tutor)).order_by(Offering.academic_year.desc())
        )
        url = sheet_url(offering.id)
    assert url in page.text
    assert demo_client.get(url).status_code == 200


def test_publishing_refreshes_the_learner_progress(demo_app, demo_client):
    with demo_app.app_context():
        learner = db.session.scalar(sa.select(Learner).where(Learner.learner_number == "100000W"))
        year = db.session.scalar(sa.select(sa.func.max(Offering.academic_year)))
        registration = db.session.scalars(
            sa.select(Registration)
            .join(Offering)
            .where(Registration.learner_id == learner.id, Offering.academic_year == year)
            .order_by(Registration.id)
        ).first()
        assert registration is not None, "the demo learner has a registration this year"
        learner_id, offering_id, registration_id = (
            learner.id,
            registration.offering_id,
            registration.id,
        )
        is_ua = registration.offering.unit.kind == "UA"
    before = snapshots(demo_app, learner_id)
    login(demo_client, "admin@example.org", DEMO_PASSWORD)
    value = {"decision": "validated"} if is_ua else "15"
    response = save(demo_client, offering_id, {registration_id: value}, publish=True, early=True)  # exams to come
    assert response.status_code == 302
    after = snapshots(demo_app, learner_id)
    assert after.keys() == before.keys() and after
    assert all(after[key][1] > before[key][1] for key in after)  # recomputed
    assert sum(a[0] for a in after.values()) > sum(b[0] for b in before.values())  # the unit now counts
    learner_client = demo_app.test_client()
    login(learner_client, "apprenant@example.org", DEMO_PASSWORD)
    assert learner_client.get("/results/mine").status_code == 200


@pytest.mark.sqlite_only
def test_sheet_statements_do_not_grow_with_the_learners(demo_app):
    from tests.core.test_query_counts import statements_for

    with demo_app.app_context():
        rows = db.session.execute(
            sa.select(Registration.offering_id, sa.func.count(Registration.id).label("n"))
            .group_by(Registration.offering_id)
            .order_by(sa.text("n"), Registration.offering_id)
        ).all()
    smallest, largest = rows[0], rows[-1]
    assert largest.n >= 5 * smallest.n
    small = statements_for(demo_app, "admin@example.org", sheet_url(smallest.offering_id))
    large = statements_for(demo_app, "admin@example.org", sheet_url(largest.offering_id))
    assert small == large <= 15


@pytest.mark.sqlite_only
def test_tutor_home_links_each_offering_to_its_grade_sheet(demo_app):
    from tests.helpers import login

    client = demo_app.test_client()
    login(client, "enseignant@example.org", "demo-lms-2026")
    home = client.get("/").text
    import re

    links = re.findall(r'href="(/results/offerings/\d+/sessions/1)"', home)
    assert links, "no sheet link on the tutor's home"
    assert client.get(links[0]).status_code == 200
