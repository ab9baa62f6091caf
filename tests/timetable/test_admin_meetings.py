"""Meetings of an offering: add (stored in UTC from the centre's wall clock), validation, move
(sequence bumped, registered learners notified with old and new times), cancel with a notice,
restore."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.extensions import db
from lms.timetable.models import Meeting, MeetingMode, MeetingStatus, Offering
from tests.helpers import client_for
from tests.timetable.test_admin_world import (
    BASE,
    build_admin_world,
    count,
    meetings_of,
    notifications,
    post_form,
)

GOOD = {
    "day": "2026-10-20",
    "start": "18:00",
    "end": "20:00",
    "mode": "in_person",
    "room": "31.2.85",
    "video_url": "",
}


@pytest.fixture
def world(app):
    return build_admin_world(app)


@pytest.fixture
def admin(app, world):
    return client_for(app, "admin@example.org")


@pytest.fixture
def meeting(app, world):
    with app.app_context():
        row = Meeting(
            offering=db.session.get(Offering, world.offering),
            starts_at=datetime(2026, 10, 20, 16, 0, tzinfo=UTC),
            ends_at=datetime(2026, 10, 20, 18, 0, tzinfo=UTC),
            mode=MeetingMode.IN_PERSON,
            room="31.2.85",
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def registered_ids(world) -> list[int]:
    return sorted(
        [
            world.learners["learner.a@example.org"],
            world.learners["learner.b@example.org"],
        ]
    )


def test_add_a_meeting_in_the_centres_time_zone(app, world, admin):
    response = post_form(admin, f"{BASE}/offerings/{world.offering}/meetings/new", GOOD)
    assert response.status_code == 302
    [added] = meetings_of(app, world.offering)
    assert added.starts_at == datetime(2026, 10, 20, 16, 0, tzinfo=UTC)  # 18:00 in Paris, summer time
    assert added.ends_at == datetime(2026, 10, 20, 18, 0, tzinfo=UTC)
    assert added.sequence == 0 and added.status == MeetingStatus.SCHEDULED and added.video_url is None
    page = admin.get(f"{BASE}/offerings/{world.offering}/meetings").text
    assert "2026-10-20" in page and "18:00" in page and "20:00" in page and "Europe/Paris" in page


def test_the_list_shows_cayenne_times_for_a_cayenne_offering(app, world, admin):
    with app.app_context():
        db.session.get(Offering, world.offering).centre_id = world.cayenne
        db.session.commit()
    post_form(admin, f"{BASE}/offerings/{world.offering}/meetings/new", GOOD)
    [added] = meetings_of(app, world.offering)
    assert added.starts_at == datetime(2026, 10, 20, 21, 0, tzinfo=UTC)  # UTC-3
    assert "America/Cayenne" in admin.get(f"{BASE}/offerings/{world.offering}/meetings").text


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": "17:00"}, "The meeting must end after it starts."),
        ({"room": ""}, "A meeting in person needs a room."),
        ({"mode": "remote"}, "A remote meeting needs a video link."),
        (
            {"mode": "both", "video_url": "http://visio.example.org/x"},
            "must be an https:// address",
        ),
        (
            {"mode": "both", "room": "", "video_url": "https://visio.example.org/x"},
            "needs a room",
        ),
        ({"day": "2026-02-30"}, "Not a valid date"),
        ({"day": "0001-01-01"}, "between 1990 and 2100"),
        ({"start": "25:00"}, "Not a valid time"),
        ({"mode": "hologram"}, "Not a valid choice"),
    ],
)
def test_bad_meetings_are_refused(app, world, admin, changes, message):
    response = post_form(admin, f"{BASE}/offerings/{world.offering}/meetings/new", {**GOOD, **changes})
    assert response.status_code == 422 and message in response.text
    assert count(app, Meeting) == 0


def test_nul_characters_are_dropped_not_a_server_error(app, world, admin):
    data = {**GOOD, "room": "Amphi\x00 B"}
    response = post_form(admin, f"{BASE}/offerings/{world.offering}/meetings/new", data)
    assert response.status_code == 302
    assert meetings_of(app, world.offering)[0].room == "Amphi B"


def test_a_clash_with_another_meeting_is_refused(app, world, admin, meeting):
    response = post_form(
        admin,
        f"{BASE}/offerings/{world.offering}/meetings/new",
        {**GOOD, "start": "19:00", "end": "21:00"},
    )
    assert response.status_code == 422 and "Another meeting of this offering" in response.text
    assert count(app, Meeting) == 1


def test_remote_meeting_keeps_only_the_link(app, world, admin):
    data = {**GOOD, "mode": "remote", "video_url": "https://visio.example.org/nfa031"}
    assert post_form(admin, f"{BASE}/offerings/{world.offering}/meetings/new", data).status_code == 302
    [added] = meetings_of(app, world.offering)
    assert (added.room, added.video_url) == (None, "https://visio.example.org/nfa031")


def test_moving_a_meeting_bumps_sequence_and_notifies_registered_learners(app, world, admin, meeting):
    path = f"{BASE}/meetings/{meeting}/edit"
    page = admin.get(path).text
    assert 'value="2026-10-20"' in page and 'value="18:00"' in page
    response = post_form(admin, path, {**GOOD, "day": "2026-11-03", "start": "18:30", "end": "20:30"})
    assert response.status_code == 302
    [moved] = meetings_of(app, world.offering)
    assert moved.starts_at == datetime(2026, 11, 3, 17, 30, tzinfo=UTC)  # winter time now
    assert moved.sequence == 1 and moved.updated_at is not None
    sent = notifications(app, "meeting_moved")
    assert [row[0] for row in sent] == registered_ids(world)  # not the waitlisted learner
    body = sent[0][2]
    assert "mardi 20 octobre 2026, 18:00" in body and "mardi 3 novembre 2026, 18:30" in body  # in the learners' French
    assert "NFA031" in sent[0][1]


def test_changing_only_the_room_bumps_sequence_without_notifying(app, world, admin, meeting):
    response = post_form(admin, f"{BASE}/meetings/{meeting}/edit", {**GOOD, "room": "Amphi A"})
    assert response.status_code == 302
    [changed] = meetings_of(app, world.offering)
    assert changed.room == "Amphi A" and changed.sequence == 1
    assert notifications(app, "meeting_moved") == []
    unchanged = post_form(admin, f"{BASE}/meetings/{meeting}/edit", {**GOOD, "room": "Amphi A"})
    assert unchanged.status_code == 302
    assert meetings_of(app, world.offering)[0].sequence == 1


def test_cancel_with_a_notice_then_restore(app, world, admin, meeting):
    empty = post_form(admin, f"{BASE}/meetings/{meeting}/cancel", {"notice": "  "})
    assert empty.status_code == 422 and "Say why the meeting is cancelled" in empty.text
    response = post_form(admin, f"{BASE}/meetings/{meeting}/cancel", {"notice": "The tutor is ill."})
    assert response.status_code == 302
    [cancelled] = meetings_of(app, world.offering)
    assert cancelled.status == MeetingStatus.CANCELLED and cancelled.notice == "The tutor is ill."
    assert cancelled.sequence == 1 and cancelled.updated_at is not None
    sent = notifications(app, "meeting_cancelled")
    assert [row[0] for row in sent] == registered_ids(world)
    assert "The tutor is ill." in sent[0][2] and "mardi 20 octobre 2026, 18:00" in sent[0][2]
    page = admin.get(f"{BASE}/offerings/{world.offering}/meetings").text
    assert "<del>" in page and "Cancelled" in page and "The tutor is ill." in page

    # a cancelled meeting is neither edited nor cancelled again
    assert post_form(admin, f"{BASE}/meetings/{meeting}/edit", GOOD).status_code == 409
    again = post_form(admin, f"{BASE}/meetings/{meeting}/cancel", {"notice": "again"})
    assert again.status_code == 409
    assert len(notifications(app, "meeting_cancelled")) == 2

    restored = post_form(
        admin,
        f"{BASE}/meetings/{meeting}/restore",
        {},
        page=f"{BASE}/offerings/{world.offering}/meetings",
    )
    assert restored.status_code == 302
    [back] = meetings_of(app, world.offering)
    assert back.status == MeetingStatus.SCHEDULED and back.notice is None and back.sequence == 2
    assert len(notifications(app, "meeting_restored")) == 2


# --- the offering's period (2026 S1: 1 October 2026 to 28 February 2027) ---------------------------


def test_moving_a_meeting_outside_the_period_needs_the_confirmation(app, world, admin, meeting, caplog):
    path = f"{BASE}/meetings/{meeting}/edit"
    assert "period is October 1, 2026 to February 28, 2027. Tick to confirm" in admin.get(path).text
    refused = post_form(admin, path, {**GOOD, "day": "2027-03-09"})
    assert refused.status_code == 422
    assert "2027-03-09 is outside the offering&#39;s period (2026-10-01 to 2027-02-28)" in refused.text
    assert "Outside the period" in refused.text
    [kept] = meetings_of(app, world.offering)
    assert kept.starts_at == datetime(2026, 10, 20, 16, 0, tzinfo=UTC) and kept.sequence == 0
    assert notifications(app, "meeting_moved") == []

    with caplog.at_level("WARNING", logger="lms.timetable.services.meetings"):
        moved = post_form(admin, path, {**GOOD, "day": "2027-03-09", "outside_period": "y"})
    assert moved.status_code == 302
    [row] = meetings_of(app, world.offering)
    assert row.starts_at == datetime(2027, 3, 9, 17, 0, tzinfo=UTC) and row.sequence == 1
    assert len(notifications(app, "meeting_moved")) == 2
    assert f"meeting {meeting} of offering {world.offering} moved on 2027-03-09, outside its period" in caplog.text

    # a meeting already outside its period keeps its day without asking again when its room changes
    assert post_form(admin, path, {**GOOD, "day": "2027-03-09", "room": "Amphi A"}).status_code == 302


def test_adding_a_meeting_outside_the_period_needs_the_confirmation(app, world, admin):
    path = f"{BASE}/offerings/{world.offering}/meetings/new"
    for day in ("2026-09-30", "2027-03-01"):
        refused = post_form(admin, path, {**GOOD, "day": day})
        assert refused.status_code == 422 and f"{day} is outside the offering" in refused.text
    assert count(app, Meeting) == 0
    for day in ("2026-10-01", "2027-02-28"):  # the period's own bounds need nothing
        assert post_form(admin, path, {**GOOD, "day": day}).status_code == 302
    assert post_form(admin, path, {**GOOD, "day": "2027-07-06", "outside_period": "y"}).status_code == 302
    assert count(app, Meeting) == 3
