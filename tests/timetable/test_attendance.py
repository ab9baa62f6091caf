"""Attendance sheets: who may open them, saving, "everyone present", cancelled meetings.

``build_world`` (used by the other ``test_attendance*`` files) makes a small timetable with
hand-countable hours, all in the 2025-2026 academic year, at a Paris centre:

- NFA031 (tutor) with learners A, B, C: M1 in person 3 h, M2 remote 2 h, M3 both 3 h, M4
  cancelled 3 h, M5 in a month (not held yet);
- NFA032 (tutor2) with learner A only: M6 remote 3 h.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.accounts.models import Role, User
from lms.catalog.models import Unit, UnitKind
from lms.core.time import utc_moment, utcnow
from lms.extensions import db
from lms.timetable.models import (
    Attendance,
    AttendanceStatus,
    Centre,
    Meeting,
    MeetingMode,
    MeetingStatus,
    Modality,
    Offering,
    Registration,
    Semester,
)
from lms.timetable.services.attendance import all_present_status, read_statuses
from tests.helpers import client_for, csrf_token, make_user

PARIS = "Europe/Paris"
LEARNERS = ["learner.a@example.org", "learner.b@example.org", "learner.c@example.org"]


@dataclass
class World:
    offering: int
    other_offering: int
    meetings: dict[str, int]  # "M1".."M6"
    registrations: list[int]  # on ``offering``, learners A, B, C
    other_registration: int  # learner A on ``other_offering``
    numbers: list[str]  # learner numbers of A, B, C


def meeting(offering: Offering, day: date, start: time, end: time, mode: MeetingMode, **values) -> Meeting:
    return Meeting(
        offering=offering,
        starts_at=utc_moment(day, start, PARIS),
        ends_at=utc_moment(day, end, PARIS),
        mode=mode,
        **values,
    )


def build_world(app: Flask) -> World:
    make_user(app, "tutor@example.org", [Role.TUTOR], name="Tutor One")
    make_user(app, "tutor2@example.org", [Role.TUTOR], name="Tutor Two")
    make_user(app, "admin@example.org", [Role.ADMIN], name="Admin")
    for index, email in enumerate(LEARNERS):
        make_user(app, email, [Role.LEARNER], name=f"Learner {'ABC'[index]}")
    with app.app_context():
        users = {user.email: user for user in db.session.scalars(sa.select(User))}
        centre = Centre(code="PAR", name="Cnam Paris", city="Paris", timezone=PARIS)
        ue = Unit(code="NFA031", title="Programmation", ects=Decimal(6), kind=UnitKind.UE)
        other = Unit(code="NFA032", title="Programmation 2", ects=Decimal(6), kind=UnitKind.UE)
        offerings = []
        for unit, tutor in ((ue, "tutor@example.org"), (other, "tutor2@example.org")):
            offering = Offering(
                unit=unit, academic_year=2025, semester=Semester.S1, modality=Modality.HYBRIDE_SOIR, centre=centre
            )
            offering.tutors = [users[tutor]]
            offerings.append(offering)
        first, second = offerings
        soon = (utcnow() + timedelta(days=30)).date()
        meetings = {
            "M1": meeting(first, date(2025, 10, 6), time(18), time(21), MeetingMode.IN_PERSON, room="31.2.85"),
            "M2": meeting(first, date(2025, 10, 13), time(18), time(20), MeetingMode.REMOTE),
            "M3": meeting(first, date(2025, 10, 20), time(18), time(21), MeetingMode.BOTH, room="31.2.85"),
            "M4": meeting(
                first, date(2025, 10, 27), time(18), time(21), MeetingMode.IN_PERSON, status=MeetingStatus.CANCELLED
            ),
            "M5": meeting(first, soon, time(18), time(21), MeetingMode.IN_PERSON),
            "M6": meeting(second, date(2025, 10, 8), time(18), time(21), MeetingMode.REMOTE),
        }
        db.session.add_all(offerings + list(meetings.values()))
        learners = [users[email].learner for email in LEARNERS]
        registrations = [Registration(learner=learner, offering=first) for learner in learners]
        other_registration = Registration(learner=learners[0], offering=second)
        db.session.add_all(registrations + [other_registration])
        db.session.commit()
        return World(
            first.id,
            second.id,
            {name: m.id for name, m in meetings.items()},
            [r.id for r in registrations],
            other_registration.id,
            [learner.learner_number for learner in learners],
        )


def attendance(app: Flask, meeting_id: int) -> dict[int, Attendance]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Attendance).where(Attendance.meeting_id == meeting_id)).all()
        db.session.expunge_all()
        return {row.registration_id: row for row in rows}


def record(app: Flask, meeting_id: int, statuses: dict[int, AttendanceStatus]) -> None:
    with app.app_context():
        for registration_id, status in statuses.items():
            db.session.add(Attendance(registration_id=registration_id, meeting_id=meeting_id, status=status))
        db.session.commit()


def sheet_url(meeting_id: int) -> str:
    return f"/attendance/meetings/{meeting_id}"


def checked(html: str) -> dict[int, str]:
    """The radio chosen on each row of a sheet page."""
    found = {}
    for match in re.finditer(r'<input[^>]*name="status-(\d+)"[^>]*value="(\w+)"( checked)?', html):
        if match.group(3):
            found[int(match.group(1))] = match.group(2)
    return found


@pytest.fixture
def world(app) -> World:
    return build_world(app)


# --- pure pieces -----------------------------------------------------------------------------------------


def test_everyone_present_means_in_person_unless_the_meeting_is_remote_only():
    assert all_present_status(Meeting(mode=MeetingMode.IN_PERSON)) == AttendanceStatus.PRESENT_IN_PERSON
    assert all_present_status(Meeting(mode=MeetingMode.BOTH)) == AttendanceStatus.PRESENT_IN_PERSON
    assert all_present_status(Meeting(mode=MeetingMode.REMOTE)) == AttendanceStatus.PRESENT_REMOTE


def test_read_statuses_skips_blank_unknown_and_foreign_rows():
    form = {"status-1": "absent", "status-2": "", "status-3": "asleep", "status-9": "excused"}
    assert read_statuses(form, [1, 2, 3, 4]) == {1: AttendanceStatus.ABSENT}


# --- access ---------------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_only_the_offerings_tutors_and_admins_open_its_attendance_pages(app, world):
    m1 = world.meetings["M1"]
    pages = [
        f"/attendance/offerings/{world.offering}",
        f"/attendance/offerings/{world.offering}/summary",
        sheet_url(m1),
        f"/attendance/meetings/{world.meetings['M2']}/import",
    ]
    for email, expected in (
        ("tutor@example.org", 200),
        ("admin@example.org", 200),
        ("tutor2@example.org", 403),
        ("learner.a@example.org", 403),
    ):
        client = client_for(app, email)
        for page in pages:
            assert client.get(page).status_code == expected, (email, page)
    anonymous = app.test_client().get(sheet_url(m1))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # another tutor cannot write either, even with a valid form
    intruder = client_for(app, "tutor2@example.org")
    token = csrf_token(intruder.get(f"/attendance/offerings/{world.other_offering}").text)
    response = intruder.post(
        sheet_url(m1), data={"csrf_token": token, f"status-{world.registrations[0]}": "absent", "save": "1"}
    )
    assert response.status_code == 403
    assert attendance(app, m1) == {}


@pytest.mark.sqlite_only
def test_unknown_meeting_or_offering_is_404(app, world):
    client = client_for(app, "tutor@example.org")
    assert client.get(sheet_url(999999)).status_code == 404
    assert client.get("/attendance/offerings/999999").status_code == 404


# --- the sheet -------------------------------------------------------------------------------------------


def test_the_meetings_page_lists_each_meeting_with_its_recorded_count(app, world):
    record(
        app,
        world.meetings["M1"],
        {world.registrations[0]: AttendanceStatus.ABSENT, world.registrations[1]: AttendanceStatus.EXCUSED},
    )
    page = client_for(app, "tutor@example.org").get(f"/attendance/offerings/{world.offering}")
    assert page.status_code == 200
    assert "06/10/2025 18:00–21:00" in page.text  # the centre's wall clock, not UTC
    assert "2 / 3" in page.text and "0 / 3" in page.text
    assert "Annul" in page.text or "Cancelled" in page.text
    assert f'href="{sheet_url(world.meetings["M4"])}"' not in page.text


def test_saving_the_sheet_records_each_chosen_status(app, world):
    client = client_for(app, "tutor@example.org")
    m1 = world.meetings["M1"]
    page = client.get(sheet_url(m1))
    assert page.status_code == 200
    for name in ("Learner A", "Learner B", "Learner C", *world.numbers):
        assert name in page.text
    a, b, c = world.registrations
    response = client.post(
        sheet_url(m1),
        data={
            "csrf_token": csrf_token(page.text),
            f"status-{a}": "present_in_person",
            f"status-{b}": "excused",
            f"status-{c}": "",
            "save": "1",
        },
    )
    assert response.status_code == 302
    saved = attendance(app, m1)
    assert {rid: row.status for rid, row in saved.items()} == {
        a: AttendanceStatus.PRESENT_IN_PERSON,
        b: AttendanceStatus.EXCUSED,
    }
    tutor_id = db_user_id(app, "tutor@example.org")
    assert all(row.recorded_by_id == tutor_id and row.recorded_at is not None for row in saved.values())
    # saving again updates (upsert), and rows left blank keep what they had
    page = client.get(sheet_url(m1))
    assert checked(page.text) == {a: "present_in_person", b: "excused"}
    client.post(
        sheet_url(m1),
        data={
            "csrf_token": csrf_token(page.text),
            f"status-{a}": "absent",
            f"status-{c}": "present_in_person",
            "save": "1",
        },
    )
    saved = attendance(app, m1)
    assert {rid: row.status for rid, row in saved.items()} == {
        a: AttendanceStatus.ABSENT,
        b: AttendanceStatus.EXCUSED,
        c: AttendanceStatus.PRESENT_IN_PERSON,
    }


def db_user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.email == email))


def test_everyone_present_fills_the_sheet_for_the_tutor_to_adjust_then_save(app, world):
    client = client_for(app, "tutor@example.org")
    a, b, c = world.registrations
    for name, expected in (("M3", "present_in_person"), ("M2", "present_remote")):
        meeting_id = world.meetings[name]
        page = client.get(sheet_url(meeting_id))
        filled = client.post(sheet_url(meeting_id), data={"csrf_token": csrf_token(page.text), "all_present": "1"})
        assert filled.status_code == 200
        assert checked(filled.text) == {a: expected, b: expected, c: expected}
        assert attendance(app, meeting_id) == {}  # nothing written until saved
        values = {f"status-{rid}": status for rid, status in checked(filled.text).items()}
        values[f"status-{b}"] = "absent"  # the tutor adjusts one row
        saved = client.post(sheet_url(meeting_id), data={"csrf_token": csrf_token(filled.text), **values, "save": "1"})
        assert saved.status_code == 302
        assert {rid: row.status.value for rid, row in attendance(app, meeting_id).items()} == {
            a: expected,
            b: "absent",
            c: expected,
        }


@pytest.mark.sqlite_only
def test_a_cancelled_meeting_has_no_sheet(app, world):
    client = client_for(app, "tutor@example.org")
    m4 = world.meetings["M4"]
    page = client.get(sheet_url(m4))
    assert page.status_code == 409
    assert "annul" in page.text.lower() or "cancelled" in page.text.lower()
    token = csrf_token(client.get(sheet_url(world.meetings["M1"])).text)
    response = client.post(
        sheet_url(m4), data={"csrf_token": token, f"status-{world.registrations[0]}": "absent", "save": "1"}
    )
    assert response.status_code == 409
    assert attendance(app, m4) == {}


@pytest.mark.sqlite_only
def test_an_expired_form_writes_nothing(app, world):
    client = client_for(app, "tutor@example.org")
    m1 = world.meetings["M1"]
    response = client.post(sheet_url(m1), data={f"status-{world.registrations[0]}": "absent", "save": "1"})
    assert response.status_code == 400  # CSRF refused
    assert attendance(app, m1) == {}


def test_registrations_of_other_offerings_are_ignored(app, world):
    client = client_for(app, "tutor@example.org")
    m1 = world.meetings["M1"]
    page = client.get(sheet_url(m1))
    client.post(
        sheet_url(m1),
        data={"csrf_token": csrf_token(page.text), f"status-{world.other_registration}": "absent", "save": "1"},
    )
    assert attendance(app, m1) == {}


@pytest.mark.sqlite_only
def test_tutors_reach_attendance_from_their_offerings_and_learners_from_the_menu(app, world):
    tutor = client_for(app, "tutor@example.org")
    link = f'href="/attendance/offerings/{world.offering}"'
    assert link in tutor.get("/results/offerings?year=all").text  # 2025-2026: not the current year
    assert link in tutor.get("/").text  # the home panel "My offerings"
    assert 'href="/attendance/mine"' in client_for(app, "learner.a@example.org").get("/").text
    assert 'href="/attendance/learners"' in client_for(app, "admin@example.org").get("/").text


def test_a_concurrent_recording_of_the_same_learner_is_a_conflict_and_writes_nothing(app, world):
    from lms.timetable.queries.attendance import sheet_rows
    from lms.timetable.services.attendance import AttendanceConflict, save_attendance

    a, b, _ = world.registrations
    with app.app_context():
        meeting_row = db.session.get(Meeting, world.meetings["M1"])
        rows = sheet_rows(meeting_row)  # read before the other tutor saved
        user = db.session.scalar(sa.select(User).where(User.email == "tutor@example.org"))
        other = db.engine.connect()
        other.execute(sa.insert(Attendance).values(registration_id=a, meeting_id=meeting_row.id, status="excused"))
        other.commit()
        other.close()
        with pytest.raises(AttendanceConflict):
            save_attendance(meeting_row, rows, {a: AttendanceStatus.ABSENT, b: AttendanceStatus.ABSENT}, user)
        db.session.rollback()
    assert {rid: row.status for rid, row in attendance(app, world.meetings["M1"]).items()} == {
        a: AttendanceStatus.EXCUSED
    }


# --- dates: no attendance before the meeting starts ---------------------------------------------------


def test_a_meeting_not_started_has_a_sheet_that_says_when_it_opens_and_refuses_attendance(app, world):
    client = client_for(app, "tutor@example.org")
    m5 = world.meetings["M5"]
    page = client.get(sheet_url(m5))
    assert page.status_code == 200
    soon = (utcnow() + timedelta(days=30)).date().isoformat()
    assert f"Cette séance n’a pas commencé : la présence peut être saisie à partir du {soon} 18:00" in page.text
    assert 'name="save"' not in page.text and 'name="all_present"' not in page.text
    assert "mailto:learner.a@example.org" in page.text  # the tutor still sees who is registered
    a = world.registrations[0]
    for button in ("save", "all_present"):
        refused = client.post(
            sheet_url(m5), data={"csrf_token": csrf_token(page.text), f"status-{a}": "absent", button: "1"}
        )
        assert refused.status_code == 409 and "Cette séance n’a pas commencé" in refused.text
    assert attendance(app, m5) == {}


def test_the_service_refuses_attendance_before_the_meeting_starts(app, world):
    from lms.timetable.queries.attendance import sheet_rows
    from lms.timetable.services.attendance import save_attendance
    from lms.timetable.services.attendance_dates import MeetingNotStarted, has_started

    with app.test_request_context():
        meeting_row = db.session.get(Meeting, world.meetings["M5"])
        tutor = db.session.scalar(sa.select(User).where(User.email == "tutor@example.org"))
        rows = sheet_rows(meeting_row)
        with pytest.raises(MeetingNotStarted):
            save_attendance(meeting_row, rows, {world.registrations[0]: AttendanceStatus.ABSENT}, tutor)
        db.session.rollback()
        assert not has_started(meeting_row)
        assert has_started(meeting_row, utcnow() + timedelta(days=31))
    assert attendance(app, world.meetings["M5"]) == {}


def test_tutors_see_their_learners_names_and_emails_on_the_sheet(app, world):
    page = client_for(app, "tutor@example.org").get(sheet_url(world.meetings["M1"])).text
    for index, email in enumerate(LEARNERS):
        assert f'<a href="mailto:{email}">{email}</a>' in page and f"Learner {'ABC'[index]}" in page
