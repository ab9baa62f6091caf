"""Hour summaries per offering and per learner, against hand-counted hours; statements per page
do not grow with the number of learners or registrations."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.extensions import db
from lms.timetable.models import AttendanceStatus, Registration
from lms.timetable.queries.attendance import Hours, summarise
from tests.helpers import client_for, make_user, page_statements
from tests.timetable.test_attendance import build_world, record

P, R, X, E = (
    AttendanceStatus.PRESENT_IN_PERSON,
    AttendanceStatus.PRESENT_REMOTE,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)


def test_summarise_adds_the_minutes_of_held_meetings_by_status():
    registrations = [(1, 10), (2, 10), (3, 20)]
    meetings = [(100, 10, 180), (101, 10, 120), (200, 20, 90)]
    marks = [
        (1, 100, "present_in_person"),
        (1, 101, "present_remote"),
        (2, 100, "excused"),
        (2, 101, "absent"),
        (3, 200, "present_remote"),
        (1, 999, "present_in_person"),  # a meeting that does not count (cancelled, not held)
        (3, 100, "present_in_person"),  # a meeting of another offering
    ]
    hours = summarise(registrations, meetings, marks)
    assert hours[1] == Hours(scheduled=300, in_person=180, remote=120)
    assert hours[2] == Hours(scheduled=300, excused=180, absent=120)
    assert hours[3] == Hours(scheduled=90, remote=90)
    assert hours[3].attended == 90 and hours[2].unrecorded == 0
    assert summarise([(4, 30)], meetings, []) == {4: Hours()}


def cells(html: str, name: str) -> list[str]:
    """The cells of the table row headed by ``name``, as text."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL):
        texts = [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        ]
        if texts and name in texts[0]:
            return texts
    raise AssertionError(f"no row for {name}")


@pytest.fixture
def world(app):
    world = build_world(app)
    a, b, c = world.registrations
    m = world.meetings
    record(app, m["M1"], {a: P, b: X, c: E})  # 3 h
    record(app, m["M2"], {a: R, b: R})  # 2 h, C not recorded
    record(app, m["M3"], {a: R, b: P, c: X})  # 3 h
    record(app, m["M4"], {a: P})  # cancelled: does not count
    record(app, m["M5"], {a: P})  # not held yet: does not count
    record(app, m["M6"], {world.other_registration: R})  # NFA032, 3 h
    return world


def test_the_offering_summary_counts_hours_by_status(app, world):
    page = client_for(app, "tutor@example.org").get(f"/attendance/offerings/{world.offering}/summary")
    assert page.status_code == 200
    # in person, remote, excused, absent, not recorded, scheduled so far
    assert cells(page.text, "Learner A")[2:] == ["3 h", "5 h", "0 h", "0 h", "0 h", "8 h"]
    assert cells(page.text, "Learner B")[2:] == ["3 h", "2 h", "0 h", "3 h", "0 h", "8 h"]
    assert cells(page.text, "Learner C")[2:] == ["0 h", "0 h", "3 h", "3 h", "2 h", "8 h"]
    assert cells(page.text, "Learner A")[1] == world.numbers[0]


def test_a_learner_sees_their_own_hours_per_registration(app, world):
    page = client_for(app, "learner.a@example.org").get("/attendance/mine")
    assert page.status_code == 200
    # in person, remote, excused, absent, scheduled so far
    assert cells(page.text, "NFA031")[3:] == ["3 h", "5 h", "0 h", "0 h", "8 h"]
    assert cells(page.text, "NFA032")[3:] == ["0 h", "3 h", "0 h", "0 h", "3 h"]
    assert cells(page.text, "Total")[1:] == ["3 h", "8 h", "0 h", "0 h", "11 h"]
    assert "2025-2026" in page.text
    # another year they have nothing in falls back to the latest one they have
    assert client_for(app, "learner.a@example.org").get("/attendance/mine?year=1999").status_code == 200


@pytest.mark.sqlite_only
def test_a_learner_cannot_see_another_learners_summary(app, world):
    learner = client_for(app, "learner.b@example.org")
    assert learner.get(f"/attendance/learners/{world.numbers[0]}").status_code == 403
    assert learner.get(f"/attendance/offerings/{world.offering}/summary").status_code == 403
    page = learner.get("/attendance/mine")
    assert "NFA032" not in page.text  # only their own registrations
    assert cells(page.text, "NFA031")[3:] == ["3 h", "2 h", "0 h", "3 h", "8 h"]


def test_an_admin_finds_a_learner_by_number_and_sees_their_hours(app, world):
    admin = client_for(app, "admin@example.org")
    found = admin.get(f"/attendance/learners?number={world.numbers[0].lower()}")
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/attendance/learners/{world.numbers[0]}")
    page = admin.get(f"/attendance/learners/{world.numbers[0]}")
    assert page.status_code == 200
    assert "Learner A" in page.text
    assert cells(page.text, "NFA031")[3:] == ["3 h", "5 h", "0 h", "0 h", "8 h"]
    assert admin.get("/attendance/learners?number=NOPE").status_code == 404
    assert admin.get("/attendance/learners/NOPE999").status_code == 404
    assert client_for(app, "tutor@example.org").get(f"/attendance/learners/{world.numbers[0]}").status_code == 403


# --- statements per page ----------------------------------------------------------------------------------


def add_learners(app, world, count: int) -> None:
    for index in range(count):
        make_user(app, f"extra{index}@example.org", [Role.LEARNER], name=f"Extra {index:02d}")
    with app.app_context():
        learners = [u.learner for u in db.session.scalars(sa.select(User).where(User.email.like("extra%")))]
        registrations = [Registration(learner=learner, offering_id=world.offering) for learner in learners]
        db.session.add_all(registrations)
        db.session.commit()
        ids = [r.id for r in registrations]
    for name in ("M1", "M2", "M3"):
        record(app, world.meetings[name], {rid: R for rid in ids})


def test_summary_pages_issue_the_same_statements_whatever_the_number_of_learners(app, world):
    tutor = client_for(app, "tutor@example.org")
    learner_a = client_for(app, "learner.a@example.org")  # two registrations
    learner_b = client_for(app, "learner.b@example.org")  # one registration
    admin = client_for(app, "admin@example.org")
    paths = [
        (tutor, f"/attendance/offerings/{world.offering}/summary"),
        (tutor, f"/attendance/offerings/{world.offering}"),
        (tutor, f"/attendance/meetings/{world.meetings['M1']}"),
        (admin, f"/attendance/learners/{world.numbers[0]}"),
    ]
    before = [page_statements(app, client, path) for client, path in paths]
    assert page_statements(app, learner_a, "/attendance/mine") == page_statements(app, learner_b, "/attendance/mine")
    add_learners(app, world, 12)
    after = [page_statements(app, client, path) for client, path in paths]
    assert before == after
    assert max(after) <= 10
