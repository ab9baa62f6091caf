""" "My offerings" (Mes enseignements): a tutor's offerings filtered by academic year (the current one
by default, or all) and semester; on the sheets, tutors see their learners' names and e-mails."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.catalog.models import Unit, UnitKind
from lms.core.time import academic_year, utcnow
from lms.extensions import db
from lms.timetable.models import Centre, Modality, Offering, Registration, Semester
from lms.timetable.queries import tutor_offerings, tutor_years
from tests.helpers import client_for, make_user

CURRENT = academic_year(utcnow().date())


@pytest.fixture
def world(app):
    """The tutor teaches NFA031 in S1 and NFA032 in S2 this year, NFA033 last year; the other
    tutor NFA034 this year. Learner A is registered on this year's NFA031 and on NFA034."""
    make_user(app, "tutor@example.org", [Role.TUTOR], name="Tutor One")
    make_user(app, "tutor2@example.org", [Role.TUTOR], name="Tutor Two")
    make_user(app, "learner.a@example.org", [Role.LEARNER], name="Learner A")
    with app.app_context():
        users = {user.email: user for user in db.session.scalars(sa.select(User))}
        centre = Centre(code="PAR", name="Cnam Paris", city="Paris")
        offerings = {}
        for code, year, semester, tutor in (
            ("NFA031", CURRENT, Semester.S1, "tutor@example.org"),
            ("NFA032", CURRENT, Semester.S2, "tutor@example.org"),
            ("NFA033", CURRENT - 1, Semester.S1, "tutor@example.org"),
            ("NFA034", CURRENT, Semester.S1, "tutor2@example.org"),
        ):
            unit = Unit(code=code, title=f"Unit {code}", ects=Decimal(6), kind=UnitKind.UE)
            offering = Offering(unit=unit, academic_year=year, semester=semester, modality=Modality.FOAD, centre=centre)
            offering.tutors = [users[tutor]]
            offerings[code] = offering
        learner = users["learner.a@example.org"].learner
        db.session.add_all(
            [
                *offerings.values(),
                Registration(learner=learner, offering=offerings["NFA031"]),
                Registration(learner=learner, offering=offerings["NFA034"]),
            ]
        )
        db.session.commit()
        return {code: offering.id for code, offering in offerings.items()}


def codes(html: str) -> set[str]:
    return {code for code in ("NFA031", "NFA032", "NFA033", "NFA034") if code in html}


def test_the_query_filters_by_year_and_semester(app, world):
    with app.app_context():
        tutor = db.session.scalar(sa.select(User.id).where(User.email == "tutor@example.org"))
        assert tutor_years(tutor) == [CURRENT, CURRENT - 1]
        assert [line.unit.code for line in tutor_offerings(tutor, year=CURRENT)] == ["NFA031", "NFA032"]
        assert [line.unit.code for line in tutor_offerings(tutor, year=CURRENT, semester="S2")] == ["NFA032"]
        assert len(tutor_offerings(tutor)) == 3


def test_my_offerings_show_the_current_year_by_default(app, world):
    tutor = client_for(app, "tutor@example.org")
    page = tutor.get("/results/offerings")
    assert page.status_code == 200
    assert codes(page.text) == {"NFA031", "NFA032"}
    assert f'<option selected value="{CURRENT}">' in page.text
    assert codes(tutor.get("/results/offerings?year=all").text) == {"NFA031", "NFA032", "NFA033"}
    assert codes(tutor.get(f"/results/offerings?year={CURRENT - 1}").text) == {"NFA033"}
    assert codes(tutor.get(f"/results/offerings?year={CURRENT}&semester=S2").text) == {"NFA032"}
    # nonsense falls back to the defaults rather than failing; another tutor's offerings never show
    for query in ("year=abc&semester=S9", "year=1800", "year=", "semester="):
        response = tutor.get(f"/results/offerings?{query}")
        assert response.status_code == 200 and codes(response.text) == {"NFA031", "NFA032"}, query


def test_tutors_see_their_learners_names_and_emails_on_the_grade_sheet(app, world):
    tutor = client_for(app, "tutor@example.org")
    page = tutor.get(f"/results/offerings/{world['NFA031']}/sessions/1").text
    assert "Learner A" in page and "<td>learner.a@example.org</td>" in page
    # only their own offerings' learners
    assert tutor.get(f"/results/offerings/{world['NFA034']}/sessions/1").status_code == 403
