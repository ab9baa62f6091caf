"""Remote presence from a video tool's participants report: reading, matching, preview, confirm."""

from __future__ import annotations

import io

import pytest

from lms.timetable.models import AttendanceStatus
from lms.timetable.services.participants import (
    Participant,
    default_threshold,
    match_participants,
    read_participants,
)
from tests.helpers import client_for, csrf_token
from tests.timetable.test_attendance import attendance, build_world, record

ZOOM = (
    b"Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
    b"812 3456 7890,NFA031,10/13/2025 06:00:00 PM,10/13/2025 08:00:00 PM,tutor@example.org,120,5\n"
    b"\n"
    b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    b"Learner A,LEARNER.A@example.org,10/13/2025 06:00:00 PM,10/13/2025 06:50:00 PM,50,No\n"
    b"Learner A,learner.a@example.org,10/13/2025 06:55:00 PM,10/13/2025 08:00:00 PM,65,No\n"
    b"Learner B (Bob's laptop),learner.b@example.org,10/13/2025 06:00:00 PM,10/13/2025 06:30:00 PM,30,No\n"
    b"Someone Else,someone@example.com,10/13/2025 06:00:00 PM,10/13/2025 08:00:00 PM,120,Yes\n"
    b"Tutor One,tutor@example.org,10/13/2025 06:00:00 PM,10/13/2025 08:00:00 PM,120,No\n"
)

FRENCH_BOM = (
    "\ufeffNom;E-mail;Durée (minutes)\nLearner C;;75\nLearner A;learner.a@example.org;20\nInconnu;;90\n".encode()
)


def upload(client, meeting_id, data: bytes, name="participants.csv", threshold=""):
    page = client.get(f"/attendance/meetings/{meeting_id}/import")
    assert page.status_code == 200
    return client.post(
        f"/attendance/meetings/{meeting_id}/import",
        data={"csrf_token": csrf_token(page.text), "file": (io.BytesIO(data), name), "threshold": threshold},
        content_type="multipart/form-data",
    )


def confirm(client, meeting_id, preview_html):
    token = preview_html.split('name="token" type="hidden" value="')[1].split('"')[0]
    return client.post(
        f"/attendance/meetings/{meeting_id}/import/confirm",
        data={"csrf_token": csrf_token(preview_html), "token": token},
    )


@pytest.fixture
def world(app):
    return build_world(app)


# --- reading --------------------------------------------------------------------------------------------


def test_a_zoom_report_is_read_after_its_summary_with_reconnections_summed():
    report = read_participants(ZOOM, "zoom.csv")
    assert report.ok, report.problems
    minutes = {(p.email or p.name): p.minutes for p in report.participants}
    assert minutes == {
        "learner.a@example.org": 115,
        "learner.b@example.org": 30,
        "someone@example.com": 120,
        "tutor@example.org": 120,
    }


def test_a_french_report_with_bom_and_semicolons_is_read():
    report = read_participants(FRENCH_BOM, "teams.csv")
    assert report.ok, report.problems
    assert [(p.name, p.email, p.minutes) for p in report.participants] == [
        ("Learner C", None, 75),
        ("Learner A", "learner.a@example.org", 20),
        ("Inconnu", None, 90),
    ]


def test_teams_and_bigbluebutton_headers_and_durations():
    teams = "Full Name\tEmail\tDuration\nLearner B\tlearner.b@example.org\t1:05:30\n".encode("utf-16-le")
    # UTF-16 is not accepted as text; a UTF-8 tab-separated file is
    assert not read_participants(teams, "teams.csv").ok
    teams = b"Full Name\tUser Email\tDuration (Minutes)\nLearner B\tlearner.b@example.org\t1:05:30\n"
    report = read_participants(teams, "teams.csv")
    assert [(p.email, p.minutes) for p in report.participants] == [("learner.b@example.org", 65)]
    bbb = b'"Name","Email","Minutes"\n"Learner C","","42.7"\n'
    assert [(p.name, p.minutes) for p in read_participants(bbb, "bbb.csv").participants] == [("Learner C", 42)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"PK\x03\x04binary workbook", "CSV"),
        (b"\x00\x01\x02\x03", "CSV"),
        (b"Name,Email,Joined\nLearner A,learner.a@example.org,yes\n", "Duration"),
        (b"just some text, not a report\n", "Duration"),
        (b"Name,Duration (Minutes)\n", "no participant"),
        (b"Name,Duration (Minutes)\nLearner A,a while\n", "a while"),
    ],
)
def test_bad_reports_are_refused_with_a_reason(data, message):
    report = read_participants(data, "bad.csv")
    assert not report.ok
    assert any(message.lower() in problem.lower() for problem in report.problems), report.problems


# --- matching (pure, with stand-in rows) -------------------------------------------------------------


class _Row:
    def __init__(self, rid, name, email, status=None):
        self.registration = type("R", (), {"id": rid})()
        self.user = type("U", (), {"name": name, "email": email})()
        self.learner = type("L", (), {"learner_number": f"N{rid}"})()
        self.attendance = None if status is None else type("A", (), {"status": status})()


def test_matching_by_email_then_unique_name_with_the_threshold():
    rows = [
        _Row(1, "Ann Martin", "ann@example.org"),
        _Row(2, "Paul Durand", "paul@example.org"),
        _Row(3, "Paul Durand", "paul.d@example.org"),  # same name: a name alone cannot tell them apart
        _Row(4, "Zoé Petit", "zoe@example.org"),
        _Row(5, "Max Roux", "max@example.org", status=AttendanceStatus.PRESENT_IN_PERSON),
        _Row(6, "Eva Blanc", "eva@example.org", status=AttendanceStatus.EXCUSED),
        _Row(7, "Léa Noir", "lea@example.org"),
    ]
    participants = [
        Participant(2, "Ann (phone)", "ANN@example.org", 30),
        Participant(3, "Paul Durand", None, 90),
        Participant(4, "zoé petit", None, 40),
        Participant(5, "Zoé Petit", "zoe.other@example.org", 20),  # the same learner again: summed
        Participant(6, "Max Roux", None, 5),
    ]
    preview = match_participants(participants, rows, threshold=45)
    statuses = {
        line.row.registration.id: (line.status, line.participant.minutes, line.kept) for line in preview.matched
    }
    assert statuses == {
        1: (AttendanceStatus.ABSENT, 30, False),
        4: (AttendanceStatus.PRESENT_REMOTE, 60, False),
        5: (AttendanceStatus.PRESENT_IN_PERSON, 5, True),  # present in the room: not turned absent
    }
    assert [p.line for p in preview.unknown] == [3]
    assert [row.registration.id for row in preview.missing] == [2, 3, 6, 7]
    # what is written: the excused and in-person learners keep their status
    assert preview.statuses() == {
        1: AttendanceStatus.ABSENT,
        4: AttendanceStatus.PRESENT_REMOTE,
        2: AttendanceStatus.ABSENT,
        3: AttendanceStatus.ABSENT,
        7: AttendanceStatus.ABSENT,
    }
    assert preview.minutes() == {1: 30, 4: 60, 2: 0, 3: 0, 7: 0}


# --- the pages --------------------------------------------------------------------------------------------


def test_preview_then_confirm_records_remote_presence_and_minutes(app, world):
    client = client_for(app, "tutor@example.org")
    m2 = world.meetings["M2"]  # remote, 2 h: default threshold 60 minutes
    a, b, c = world.registrations
    preview = upload(client, m2, ZOOM)
    assert preview.status_code == 200, preview.text[:2000]
    text = preview.text
    assert "Someone Else" in text and "someone@example.com" in text  # matches nobody
    assert "Learner C" in text  # not in the report: absent
    assert "115" in text and "30" in text
    assert attendance(app, m2) == {}  # nothing written by the preview
    response = confirm(client, m2, text)
    assert response.status_code == 302
    saved = attendance(app, m2)
    assert {rid: (row.status, row.minutes_connected) for rid, row in saved.items()} == {
        a: (AttendanceStatus.PRESENT_REMOTE, 115),
        b: (AttendanceStatus.ABSENT, 30),
        c: (AttendanceStatus.ABSENT, 0),
    }
    assert all(row.recorded_by_id is not None and row.recorded_at is not None for row in saved.values())
    # the token is spent
    again = confirm(client, m2, text)
    assert again.status_code == 302 and "/import" in again.headers["Location"]


def test_the_threshold_given_is_applied_and_names_match_when_unique(app, world):
    client = client_for(app, "tutor@example.org")
    m3 = world.meetings["M3"]  # both, 3 h
    a, b, c = world.registrations
    record(app, m3, {b: AttendanceStatus.PRESENT_IN_PERSON})  # was in the room
    preview = upload(client, m3, FRENCH_BOM, name="teams.csv", threshold="15")
    assert preview.status_code == 200, preview.text[:2000]
    assert "Inconnu" in preview.text
    assert confirm(client, m3, preview.text).status_code == 302
    saved = attendance(app, m3)
    assert {rid: (row.status, row.minutes_connected) for rid, row in saved.items()} == {
        a: (AttendanceStatus.PRESENT_REMOTE, 20),
        b: (AttendanceStatus.PRESENT_IN_PERSON, None),  # kept
        c: (AttendanceStatus.PRESENT_REMOTE, 75),
    }


def test_default_threshold_is_half_the_meeting(app, world):
    from lms.extensions import db
    from lms.timetable.models import Meeting

    with app.app_context():
        assert default_threshold(db.session.get(Meeting, world.meetings["M2"])) == 60
        assert default_threshold(db.session.get(Meeting, world.meetings["M3"])) == 90


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"Name,Email,Joined\nLearner A,learner.a@example.org,yes\n", "missing.csv"),
        (b"PK\x03\x04 not a csv at all", "report.csv"),
        (b"", "empty.csv"),
        (b"Name,Duration (Minutes)\n", "header-only.csv"),
        (b"Name;Duration (Minutes)\nLearner A;60\n", "report.xlsx"),
    ],
)
def test_a_bad_file_is_refused_clearly_and_nothing_is_written(app, world, data, name):
    client = client_for(app, "tutor@example.org")
    m2 = world.meetings["M2"]
    response = upload(client, m2, data, name=name)
    assert response.status_code == 422
    assert "invalid-feedback" in response.text
    assert 'name="token"' not in response.text
    assert attendance(app, m2) == {}


@pytest.mark.sqlite_only
def test_bad_threshold_is_a_form_error(app, world):
    client = client_for(app, "tutor@example.org")
    response = upload(client, world.meetings["M2"], ZOOM, threshold="-5")
    assert response.status_code == 422
    assert attendance(app, world.meetings["M2"]) == {}


@pytest.mark.sqlite_only
def test_a_token_is_bound_to_its_user_and_meeting(app, world):
    tutor = client_for(app, "tutor@example.org")
    preview = upload(tutor, world.meetings["M2"], ZOOM)
    assert preview.status_code == 200
    # another meeting of the same tutor cannot use it
    response = confirm(tutor, world.meetings["M3"], preview.text)
    assert response.status_code == 302 and "/import" in response.headers["Location"]
    assert attendance(app, world.meetings["M3"]) == {}
    # an administrator (allowed on the meeting) cannot confirm the tutor's upload
    admin = client_for(app, "admin@example.org")
    token = preview.text.split('name="token" type="hidden" value="')[1].split('"')[0]
    page = admin.get(f"/attendance/meetings/{world.meetings['M2']}")
    response = admin.post(
        f"/attendance/meetings/{world.meetings['M2']}/import/confirm",
        data={"csrf_token": csrf_token(page.text), "token": token},
    )
    assert response.status_code == 302
    assert attendance(app, world.meetings["M2"]) == {}


@pytest.mark.sqlite_only
def test_in_person_and_cancelled_meetings_have_no_import(app, world):
    client = client_for(app, "tutor@example.org")
    assert client.get(f"/attendance/meetings/{world.meetings['M1']}/import").status_code == 404
    assert client.get(f"/attendance/meetings/{world.meetings['M4']}/import").status_code == 404  # in person too


@pytest.mark.sqlite_only
def test_another_tutor_cannot_import(app, world):
    client = client_for(app, "tutor2@example.org")
    assert client.get(f"/attendance/meetings/{world.meetings['M2']}/import").status_code == 403


# --- dates: the report of the meeting's day, for a meeting that has started ---------------------------


def test_join_times_are_read_in_the_formats_of_the_video_tools():
    from datetime import date

    from lms.timetable.services.attendance_dates import join_days

    day = date(2025, 10, 13)
    assert join_days("10/13/2025 06:00:00 PM") == {day}  # Zoom
    assert join_days("13/10/2025 18:00:23") == {day}  # Teams, French
    assert join_days("10/13/25, 6:00:23 PM") == {day}  # Teams, English
    assert join_days("2025-10-13T18:00:00") == {day}
    assert join_days("05/11/2025 18:00") == {date(2025, 5, 11), date(2025, 11, 5)}  # ambiguous: both
    assert join_days("6:00 PM") is None  # a time only: nothing to check
    assert join_days("soon") == set()


def test_a_report_of_another_day_is_refused_line_by_line_and_nothing_is_written(app, world):
    client = client_for(app, "tutor@example.org")
    m2 = world.meetings["M2"]  # Monday 13 October 2025
    other_day = ZOOM.replace(b"10/13/2025 06:55:00 PM,10/13", b"10/14/2025 06:55:00 PM,10/14")
    response = upload(client, m2, other_day, name="zoom.csv")
    assert response.status_code == 422
    assert (
        "zoom.csv:6 : connexion le « 10/14/2025 06:55:00 PM », pas le jour de la séance (2025-10-13)" in response.text
    )
    assert "zoom.csv:5" not in response.text  # the lines of the right day are fine
    unreadable = ZOOM.replace(b"10/13/2025 06:00:00 PM,10/13/2025 06:30:00 PM", b"tomorrow,10/13/2025 06:30:00 PM")
    response = upload(client, m2, unreadable, name="zoom.csv")
    assert response.status_code == 422 and "zoom.csv:7 : l’heure de connexion « tomorrow »" in response.text
    assert attendance(app, m2) == {}
    assert upload(client, m2, ZOOM).status_code == 200  # the report of the day itself is previewed


def test_no_report_is_imported_for_a_meeting_not_started(app, world):
    from datetime import timedelta

    from lms.core.time import utcnow
    from lms.extensions import db
    from lms.timetable.models import Meeting

    m2 = world.meetings["M2"]
    with app.app_context():
        row = db.session.get(Meeting, m2)
        row.starts_at, row.ends_at = utcnow() + timedelta(days=2), utcnow() + timedelta(days=2, hours=2)
        db.session.commit()
    client = client_for(app, "tutor@example.org")
    assert "Cette séance n’a pas commencé" in client.get(f"/attendance/meetings/{m2}/import").text
    response = upload(client, m2, FRENCH_BOM)
    assert response.status_code == 409 and "Cette séance n’a pas commencé" in response.text
    assert attendance(app, m2) == {}
