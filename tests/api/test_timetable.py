"""Offerings, registrations and attendance through the API: the catalogue's filters and paging,
registering and withdrawing with the pages' rules and messages (409 in the request's language),
meetings as the pages show them to each caller, attendance sheets with ETag/If-Match, and the
access matrix (another learner, another tutor, a director of nothing: 404 or 403, never data)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.api import services
from lms.api.models import Scope
from lms.core.time import academic_year, utcnow
from lms.extensions import db
from lms.timetable.models import Attendance, AttendanceStatus, Meeting, Modality, Semester
from tests.helpers import make_user
from tests.timetable import test_attendance, test_registrations

NAMES = itertools.count()


def bearer(app, email: str, scope: str = "write", language: str = "en") -> dict[str, str]:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        _token, secret = services.create_personal_token(user, f"test {scope} {next(NAMES)}", Scope(scope), 30)
        db.session.commit()
    return {"Authorization": f"Bearer {secret}", "Accept-Language": language}


def number_of(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == email)).learner.learner_number


# --- offerings and registrations --------------------------------------------------------------------

TODAY = utcnow().date()
YEAR = academic_year(TODAY)
OPEN = {"opens": TODAY - timedelta(days=30), "closes": TODAY + timedelta(days=30)}


@pytest.fixture
def catalogue(app):
    world = test_registrations.build_world(app)
    make_user(app, "admin@example.org", [Role.ADMIN])
    make_user(app, "director@example.org", [Role.DIRECTOR])
    make_user(app, "tutor@example.org", [Role.TUTOR])
    add = test_registrations.add_offering
    offerings = {
        "NFA031": add(app, world, "NFA031", year=YEAR, capacity=1, **OPEN),
        "NFA032": add(app, world, "NFA032", year=YEAR, semester=Semester.S2, modality=Modality.FOAD, **OPEN),
        "GDN100": add(app, world, "GDN100", year=YEAR + 1, **OPEN),
        "NFA033": add(
            app, world, "NFA033", year=YEAR, opens=TODAY - timedelta(days=60), closes=TODAY - timedelta(days=1)
        ),
        "old": add(app, world, "NFA035", year=YEAR - 3, **OPEN),
    }
    return world, offerings


def codes(answer) -> list[str]:
    return [item["unit"]["code"] for item in answer.json["items"]]


def test_the_catalogue_has_the_pages_filters_order_and_paging(app, catalogue):
    world, offerings = catalogue
    client = app.test_client()
    headers = bearer(app, world.learners[0], "read")
    every = client.get("/api/v1/offerings", headers=headers)
    assert every.status_code == 200, every.json
    assert codes(every) == ["NFA031", "NFA033", "NFA032", "GDN100"]  # by year, semester, code; not the old year
    assert every.json["total"] == 4
    first = every.json["items"][0]
    assert first["capacity"] == 1 and first["places_left"] == 1 and first["registration"]["state"] == "open"
    assert first["placements"] == [{"programme": "LG025", "group_kind": "all", "group_label": None, "via": None}]
    assert first["modality_label"] == "In person, evening or Saturday"
    assert every.json["items"][1]["registration"]["state"] == "closed"

    assert codes(client.get("/api/v1/offerings?programme=mine", headers=headers)) == ["NFA031", "NFA033", "NFA032"]
    assert codes(client.get("/api/v1/offerings?distance=true", headers=headers)) == ["NFA032"]
    assert codes(client.get("/api/v1/offerings?semester=S2", headers=headers)) == ["NFA032"]
    assert codes(client.get("/api/v1/offerings?unit=gestion", headers=headers)) == ["GDN100"]
    assert codes(client.get(f"/api/v1/offerings?year={YEAR + 1}", headers=headers)) == ["GDN100"]
    paged = client.get("/api/v1/offerings?limit=3&page=2", headers=headers)
    assert codes(paged) == ["GDN100"] and paged.json["page"] == {"page": 2, "limit": 3, "has_next": False}
    assert client.get("/api/v1/offerings?limit=3", headers=headers).json["page"]["has_next"] is True

    old_year = client.get(f"/api/v1/offerings?year={YEAR - 3}", headers=headers)
    assert old_year.status_code == 422 and old_year.json["errors"][0]["field"] == "year"
    unknown = client.get("/api/v1/offerings?programme=NOPE", headers=headers)
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "programme"
    # The old offering is not the learner's to know; an administrator sees every year.
    assert client.get(f"/api/v1/offerings/{offerings['old']}", headers=headers).status_code == 404
    admin = bearer(app, "admin@example.org", "read")
    assert codes(client.get(f"/api/v1/offerings?year={YEAR - 3}", headers=admin)) == ["NFA035"]
    one = client.get(f"/api/v1/offerings/{offerings['old']}", headers=admin)
    assert one.status_code == 200 and one.json["my_status"] is None and one.json["placements"] == []
    # Tutors and directors have no catalogue page.
    assert client.get("/api/v1/offerings", headers=bearer(app, "director@example.org", "read")).status_code == 403
    assert client.get("/api/v1/offerings", headers=bearer(app, "tutor@example.org", "read")).status_code == 403


def test_register_wait_withdraw_with_the_pages_rules_and_messages(app, catalogue):
    world, offerings = catalogue
    client = app.test_client()
    first, second = world.learners[0], world.learners[1]
    url = f"/api/v1/learners/{number_of(app, first)}/registrations"
    headers = bearer(app, first)
    done = client.post(url, json={"offering_id": offerings["NFA031"]}, headers=headers)
    assert done.status_code == 201, done.json
    assert done.json["status"] == "registered" and done.json["message"] == "You are registered for NFA031."
    again = client.post(url, json={"offering_id": offerings["NFA031"]}, headers=headers)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert again.json["detail"] == "You are already registered for NFA031."
    french = client.post(url, json={"offering_id": offerings["NFA031"]}, headers={**headers, "Accept-Language": "fr"})
    assert french.status_code == 409 and french.json["detail"] != again.json["detail"]
    closed = client.post(url, json={"offering_id": offerings["NFA033"]}, headers=headers)
    assert closed.status_code == 409 and closed.json["detail"].startswith("Registration for NFA033 closed on")
    missing = client.post(url, json={"offering_id": 999999}, headers=headers)
    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "offering_id"

    # The offering is full: the second learner waits, and gets the place when the first withdraws.
    second_url = f"/api/v1/learners/{number_of(app, second)}/registrations"
    second_headers = bearer(app, second)
    waiting = client.post(second_url, json={"offering_id": offerings["NFA031"]}, headers=second_headers)
    assert waiting.status_code == 201 and waiting.json["status"] == "waitlisted"
    assert "waiting list" in waiting.json["message"]
    line = client.get(f"/api/v1/offerings/{offerings['NFA031']}", headers=second_headers).json
    assert line["my_status"] == "waitlisted" and line["places_left"] == 0 and line["waitlisted"] == 1

    withdrawn = client.post(f"{url}/{done.json['id']}/withdrawal", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert withdrawn.json["message"] == "You have withdrawn from NFA031."
    twice = client.post(f"{url}/{done.json['id']}/withdrawal", headers=headers)
    assert twice.status_code == 409 and twice.json["detail"] == "This registration was already withdrawn."
    mine = client.get(second_url, headers=second_headers).json["items"]
    assert [(item["unit"], item["status"]) for item in mine] == [("NFA031", "registered")]
    listed = client.get(f"{url}?status=withdrawn", headers=headers).json
    assert [item["id"] for item in listed["items"]] == [done.json["id"]] and listed["total"] == 1

    # Nobody acts for someone else: another learner's registrations are not found.
    assert client.post(second_url, json={"offering_id": offerings["NFA032"]}, headers=headers).status_code == 404
    other = mine[0]["id"]
    assert client.post(f"{second_url}/{other}/withdrawal", headers=headers).status_code == 404
    assert client.post(f"{url}/{other}/withdrawal", headers=headers).status_code == 404  # not theirs
    # An administrator may read, not register a learner (the pages have no such action).
    admin = bearer(app, "admin@example.org")
    assert client.post(url, json={"offering_id": offerings["NFA032"]}, headers=admin).status_code == 403
    # A read token cannot write.
    assert (
        client.post(url, json={"offering_id": offerings["NFA032"]}, headers=bearer(app, first, "read")).status_code
        == 403
    )


def test_who_reads_a_learners_registrations(app, catalogue):
    world, offerings = catalogue
    client = app.test_client()
    test_registrations.do_register(app, world.learners[0], offerings["NFA031"], today=TODAY)
    url = f"/api/v1/learners/{number_of(app, world.learners[0])}/registrations"
    own = client.get(url, headers=bearer(app, world.learners[0], "read"))
    assert own.status_code == 200 and [item["unit"] for item in own.json["items"]] == ["NFA031"]
    assert client.get(url, headers=bearer(app, "admin@example.org", "read")).json == own.json
    for email in (world.learners[1], "director@example.org", "tutor@example.org"):
        refused = client.get(url, headers=bearer(app, email, "read"))
        assert refused.status_code == 404 and "items" not in refused.json, email
    assert (
        client.get("/api/v1/learners/NOPE/registrations", headers=bearer(app, "admin@example.org")).status_code == 404
    )
    assert client.get(url).status_code == 401


# --- meetings and attendance -------------------------------------------------------------------------


@pytest.fixture
def timetable(app):
    world = test_attendance.build_world(app)
    with app.app_context():
        for meeting_id in world.meetings.values():
            meeting = db.session.get(Meeting, meeting_id)
            meeting.video_url = "https://visio.example.org/room"
        db.session.commit()
    return world


def test_meetings_as_the_pages_show_them_to_each_caller(app, timetable):
    world = timetable
    client = app.test_client()
    url = f"/api/v1/offerings/{world.offering}/meetings"
    learner = client.get(url, headers=bearer(app, test_attendance.LEARNERS[1], "read"))
    assert learner.status_code == 200, learner.json
    items = {item["id"]: item for item in learner.json["items"]}
    assert list(items) == [world.meetings[name] for name in ("M1", "M2", "M3", "M4", "M5")]
    m1, m2, m3, m4 = (items[world.meetings[name]] for name in ("M1", "M2", "M3", "M4"))
    assert (m1["room"], m1["video_url"]) == ("31.2.85", None)  # in person: no link
    assert m2["room"] is None and m2["video_url"] == "https://visio.example.org/room"
    assert m3["room"] == "31.2.85" and m3["video_url"]
    assert m4["status"] == "cancelled" and m4["video_url"] is None
    assert m1["starts_at"].startswith("2025-10-06T18:00:00+02:00") and m1["timezone"] == "Europe/Paris"
    assert m1["attendance_recorded"] is None

    tutor = client.get(url, headers=bearer(app, "tutor@example.org", "read"))
    assert (
        tutor.status_code == 200
        and tutor.json["items"][0]["video_url"]
        and tutor.json["items"][0]["attendance_recorded"] == 0
    )
    paged = client.get(f"{url}?limit=2&page=3", headers=bearer(app, "admin@example.org", "read"))
    assert [item["id"] for item in paged.json["items"]] == [world.meetings["M5"]] and paged.json["total"] == 5

    # Another tutor, a learner of another offering: not found; never the meetings.
    other = f"/api/v1/offerings/{world.other_offering}/meetings"
    assert client.get(url, headers=bearer(app, "tutor2@example.org", "read")).status_code == 404
    assert client.get(other, headers=bearer(app, test_attendance.LEARNERS[1], "read")).status_code == 404
    assert (
        client.get(f"/api/v1/offerings/{world.other_offering}", headers=bearer(app, "tutor2@example.org")).status_code
        == 200
    )


def test_attendance_sheet_with_etag_and_if_match(app, timetable):
    world = timetable
    client = app.test_client()
    headers = bearer(app, "tutor@example.org")
    url = f"/api/v1/meetings/{world.meetings['M1']}/attendance"
    read = client.get(url, headers=headers)
    assert read.status_code == 200, read.json
    assert [row["registration_id"] for row in read.json["rows"]] == world.registrations
    assert read.json["started"] is True and read.json["all_present"] == "present_in_person"
    etag = read.headers["ETag"]
    a, b, c = world.registrations
    body = {"rows": [{"registration_id": a, "status": "present_in_person"}, {"registration_id": b, "status": "absent"}]}
    assert client.patch(url, json=body, headers=headers).status_code == 428
    saved = client.patch(url, json=body, headers={**headers, "If-Match": etag})
    assert saved.status_code == 200 and saved.json == {"saved": 2}
    assert saved.headers["ETag"] != etag
    stale = client.patch(
        url, json={"rows": [{"registration_id": a, "status": "absent"}]}, headers={**headers, "If-Match": etag}
    )
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    marks = test_attendance.attendance(app, world.meetings["M1"])
    assert {key: mark.status for key, mark in marks.items()} == {
        a: AttendanceStatus.PRESENT_IN_PERSON,
        b: AttendanceStatus.ABSENT,
    }
    assert marks[a].recorded_by_id is not None
    again = client.get(url, headers=headers)
    assert again.headers["ETag"] == saved.headers["ETag"]
    assert {row["registration_id"]: row["status"] for row in again.json["rows"]} == {
        a: "present_in_person",
        b: "absent",
        c: None,
    }

    foreign = client.patch(
        url,
        json={"rows": [{"registration_id": world.other_registration, "status": "absent"}]},
        headers={**headers, "If-Match": "*"},
    )
    assert foreign.status_code == 422 and foreign.json["errors"][0]["registration_id"] == world.other_registration
    cancelled = client.get(f"/api/v1/meetings/{world.meetings['M4']}/attendance", headers=headers)
    assert cancelled.status_code == 409 and "cancelled" in cancelled.json["detail"]
    later = client.patch(
        f"/api/v1/meetings/{world.meetings['M5']}/attendance",
        json={"rows": [{"registration_id": a, "status": "absent"}]},
        headers={**headers, "If-Match": "*"},
    )
    assert later.status_code == 409 and "has not started" in later.json["detail"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 2

    # Only the offering's tutors and administrators.
    assert client.get(url, headers=bearer(app, "admin@example.org")).status_code == 200
    for email in ("tutor2@example.org", test_attendance.LEARNERS[0]):
        refused = client.get(url, headers=bearer(app, email))
        assert refused.status_code == 403 and "rows" not in refused.json, email
    assert client.get("/api/v1/meetings/999999/attendance", headers=headers).status_code == 404
