"""Offerings: the filtered list with counts, create and edit with good and bad input (nothing
written on error), capacity raised (waitlist promoted) or lowered (warning, nobody dropped)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.timetable.models import Offering, Registration, RegistrationStatus
from tests.helpers import client_for, page_statements
from tests.timetable.test_admin_world import (
    BASE,
    build_admin_world,
    count,
    notifications,
    post_form,
)


@pytest.fixture
def world(app):
    return build_admin_world(app)


@pytest.fixture
def admin(app, world):
    return client_for(app, "admin@example.org")


def form_data(world, **changes) -> dict:
    data = {
        "unit_code": "NFA032",
        "academic_year": "2026",
        "semester": "S2",
        "modality": "hybride_soir",
        "centre_id": str(world.paris),
        "capacity": "30",
        "registration_opens_on": "2026-09-01",
        "registration_closes_on": "2027-01-31",
        "tutor_ids": [str(world.tutors[0]), str(world.tutors[1])],
        "exam1_on": "2027-06-10",
        "exam2_on": "2027-09-05",
        "jury1_on": "2027-06-30",
        "jury2_on": "2027-09-20",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_create_an_offering(app, world, admin):
    response = post_form(admin, f"{BASE}/offerings/new", form_data(world, unit_code=" nfa032 "))
    assert response.status_code == 302
    with app.app_context():
        offering = db.session.scalar(sa.select(Offering).where(Offering.unit.has(code="NFA032")))
        assert (offering.academic_year, offering.semester, offering.modality) == (
            2026,
            "S2",
            "hybride_soir",
        )
        assert offering.capacity == 30 and offering.centre.code == "PAR"
        assert offering.registration_closes_on == date(2027, 1, 31)
        assert (offering.exam1_on, offering.exam2_on) == (
            date(2027, 6, 10),
            date(2027, 9, 5),
        )
        assert (offering.jury1_on, offering.jury2_on) == (
            date(2027, 6, 30),
            date(2027, 9, 20),
        )
        assert sorted(tutor.id for tutor in offering.tutors) == sorted(world.tutors)
    assert response.headers["Location"] == f"{BASE}/offerings/{offering.id}/edit"


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"unit_code": "NFA031", "semester": "S1", "modality": "foad"},
            "already offered",
        ),
        ({"unit_code": "XXX999"}, "No unit has the code XXX999"),
        (
            {
                "registration_opens_on": "2026-10-01",
                "registration_closes_on": "2026-09-01",
            },
            "close on or after",
        ),
        ({"exam1_on": "2027-02-10", "jury1_on": "2027-02-01"}, "cannot sit before the exam"),
        ({"exam2_on": "2027-06-20", "jury2_on": "2027-06-19"}, "cannot sit before the exam"),
        ({"exam1_on": "2027-02-10", "exam2_on": "2027-02-10"}, "must come after the first"),
        ({"exam1_on": "2027-02-10", "jury1_on": "2027-02-24", "exam2_on": "2027-02-20"}, "after the jury of the first"),
        ({"capacity": "0"}, "Between 1 and 100000"),
        ({"capacity": "99999999999999999999"}, "Between 1 and 100000"),
        ({"exam1_on": "9999-12-31"}, "between 1990 and 2101"),
        ({"capacity": "many"}, "Not a valid integer"),
        ({"academic_year": "1800"}, "Number must be between 1990 and 2100"),
        ({"centre_id": "999"}, "Not a valid choice"),
        ({"centre_id": ""}, "This field is required"),
        ({"modality": "telepathy"}, "Not a valid choice"),
        ({"tutor_ids": ["999"]}, "not a valid choice"),
        ({"exam1_on": "10/06/2027"}, "Not a valid date"),
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(app, world, admin, changes, message):
    response = post_form(admin, f"{BASE}/offerings/new", form_data(world, **changes))
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert count(app, Offering) == 1


def test_edit_to_a_duplicate_is_refused(app, world, admin):
    post_form(
        admin,
        f"{BASE}/offerings/new",
        form_data(world, unit_code="NFA031", semester="S2"),
    )
    with app.app_context():
        second = db.session.scalar(sa.select(Offering.id).where(Offering.semester == "S2"))
    response = post_form(
        admin,
        f"{BASE}/offerings/{second}/edit",
        form_data(world, unit_code="NFA031", semester="S1", modality="foad"),
    )
    assert response.status_code == 422 and "already offered" in response.text
    with app.app_context():
        assert db.session.get(Offering, second).semester == "S2"


def test_edit_shows_current_values_and_keeps_them(app, world, admin):
    page = admin.get(f"{BASE}/offerings/{world.offering}/edit").text
    assert 'value="NFA031"' in page and "Registered: 2 · waitlisted: 1 · capacity: 2" in page
    response = post_form(
        admin,
        f"{BASE}/offerings/{world.offering}/edit",
        form_data(
            world,
            unit_code="NFA031",
            semester="S1",
            modality="foad",
            capacity="2",
            tutor_ids=[],
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        offering = db.session.get(Offering, world.offering)
        assert offering.tutors == [] and offering.exam1_on == date(2027, 6, 10)


def _statuses(app, offering_id):
    with app.app_context():
        return sorted(db.session.scalars(sa.select(Registration.status).where(Registration.offering_id == offering_id)))


def test_raising_capacity_promotes_the_waitlist(app, world, admin):
    pytest.importorskip("lms.timetable.services.registrations")
    response = post_form(
        admin,
        f"{BASE}/offerings/{world.offering}/edit",
        form_data(world, unit_code="NFA031", semester="S1", modality="foad", capacity="3"),
    )
    assert response.status_code == 302
    assert _statuses(app, world.offering) == [RegistrationStatus.REGISTERED] * 3
    assert [row[0] for row in notifications(app, "waitlist_promoted")] == [world.learners["learner.c@example.org"]]
    assert "1 waitlisted learner now has a place" in admin.get(response.headers["Location"]).text


def test_removing_the_capacity_promotes_the_waitlist(app, world, admin):
    pytest.importorskip("lms.timetable.services.registrations")
    post_form(
        admin,
        f"{BASE}/offerings/{world.offering}/edit",
        form_data(world, unit_code="NFA031", semester="S1", modality="foad", capacity=""),
    )
    with app.app_context():
        assert db.session.get(Offering, world.offering).capacity is None
    assert _statuses(app, world.offering) == [RegistrationStatus.REGISTERED] * 3


def test_lowering_capacity_warns_and_drops_nobody(app, world, admin):
    response = post_form(
        admin,
        f"{BASE}/offerings/{world.offering}/edit",
        form_data(world, unit_code="NFA031", semester="S1", modality="foad", capacity="1"),
    )
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).text
    assert "1 learner more is registered than the new capacity allows; nobody was removed" in page
    assert "More learners are registered than the capacity allows" in page
    assert _statuses(app, world.offering).count(RegistrationStatus.REGISTERED) == 2
    assert notifications(app, "waitlist_promoted") == []


def test_list_filters_counts_and_links(app, world, admin):
    post_form(
        admin,
        f"{BASE}/offerings/new",
        form_data(world, centre_id=str(world.cayenne), academic_year="2027"),
    )
    page = admin.get(f"{BASE}/offerings").text
    assert "2 offerings." in page
    assert "NFA031" in page and "NFA032" in page
    assert 'href="/catalog/import"' in page  # offerings of a catalogue file are imported there
    row = page[page.index("<strong>NFA031</strong>") :].split("</tr>")[0]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")]
    assert "2" in cells and "1" in cells  # registered and waitlisted
    only_2027 = admin.get(f"{BASE}/offerings?year=2027").text
    assert "1 offering." in only_2027 and "NFA032" in only_2027 and "<strong>NFA031</strong>" not in only_2027
    by_centre = admin.get(f"{BASE}/offerings?centre={world.paris}").text
    assert "1 offering." in by_centre and "<strong>NFA031</strong>" in by_centre
    by_unit = admin.get(f"{BASE}/offerings?unit=nfa032&modality=hybride_soir&semester=S2").text
    assert "1 offering." in by_unit and "<strong>NFA032</strong>" in by_unit
    nonsense = admin.get(f"{BASE}/offerings?year=abc&semester=Q&centre=x&page=-3")
    assert nonsense.status_code == 200 and "2 offerings." in nonsense.text


def test_the_list_issues_the_same_statements_for_1_or_40_offerings(app, world, admin):
    path = f"{BASE}/offerings"
    few = page_statements(app, admin, path)
    with app.app_context():
        source = db.session.get(Offering, world.offering)
        for year in range(1990, 2030):
            if year != 2026:
                db.session.add(
                    Offering(
                        unit_id=source.unit_id,
                        academic_year=year,
                        semester=source.semester,
                        modality=source.modality,
                        centre_id=source.centre_id if year % 2 else world.cayenne,
                    )
                )
        db.session.commit()
    assert page_statements(app, admin, path) == few
