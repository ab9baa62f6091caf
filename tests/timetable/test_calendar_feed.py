"""The learner's personal iCalendar feed: creating and revoking it, and the calendar parsed back
with ``icalendar`` (events, Paris wall-clock times, SEQUENCE of a moved meeting, cancelled
meetings, unknown or revoked tokens)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from lms.core.time import utc_moment, utcnow
from lms.extensions import db
from lms.timetable.models import CalendarFeed, Meeting, MeetingMode, MeetingStatus
from lms.timetable.services.calendars import Event, calendar_ics
from tests.helpers import client_for, csrf_token
from tests.timetable.test_registrations import (
    add_offering,
    build_world,
    do_register,
)

PARIS = ZoneInfo("Europe/Paris")


def add_meeting(app, offering: int, day: date, start: time, end: time, **values) -> int:
    with app.app_context():
        meeting = Meeting(
            offering_id=offering,
            starts_at=utc_moment(day, start, "Europe/Paris"),
            ends_at=utc_moment(day, end, "Europe/Paris"),
            mode=values.pop("mode", MeetingMode.IN_PERSON),
            room=values.pop("room", "31.2.85"),
            **values,
        )
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


def feed_url(client) -> str:
    page = client.get("/calendar")
    assert page.status_code == 200
    if "/calendar/create" in page.text:
        client.post("/calendar/create", data={"csrf_token": csrf_token(page.text)})
        page = client.get("/calendar")
    start = page.text.index("http://localhost/calendar/")
    return page.text[start : page.text.index('"', start)]


def events(client, url: str) -> list[icalendar.Event]:
    response = client.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    found = list(calendar.walk("VEVENT"))
    if found:
        assert calendar.walk("VTIMEZONE"), "the centre's timezone is described"
    return found


# --- the builder alone ------------------------------------------------------------------------------


def test_calendar_ics_builds_one_event_per_meeting_with_tzid():
    start = datetime(2026, 3, 30, 16, 0, tzinfo=UTC)  # 18:00 in Paris (summer time)
    body = calendar_ics(
        [
            Event(
                7,
                "NFA031 Programmation",
                start,
                start.replace(hour=19),
                "Europe/Paris",
                2,
                datetime(2026, 3, 1, tzinfo=UTC),
                False,
                "both",
                "31.2.85",
                "https://visio.example/x",
            ),
        ],
        name="Timetable",
    )
    calendar = icalendar.Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == "meeting-7@lms"
    assert event.decoded("DTSTART") == datetime(2026, 3, 30, 18, 0, tzinfo=PARIS)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("SEQUENCE") == 2
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "31.2.85" in str(event["LOCATION"]) and "https://visio.example/x" in str(event["LOCATION"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


# --- through the pages ---------------------------------------------------------------------------------


def test_feed_lists_the_learners_meetings_in_paris_time(app):
    world = build_world(app, learners=2)
    offering = add_offering(app, world, "NFA031", opens=None, closes=None)
    other = add_offering(app, world, "NFA032", opens=None, closes=None)
    winter = add_meeting(app, offering, date(2026, 12, 7), time(18, 0), time(21, 0))
    add_meeting(
        app,
        offering,
        date(2026, 6, 1),
        time(18, 30),
        time(21, 30),
        mode=MeetingMode.REMOTE,
        room=None,
        video_url="https://visio.example/nfa031",
    )
    add_meeting(app, other, date(2026, 12, 8), time(9, 0), time(12, 0))  # not registered: not shown
    do_register(app, world.learners[0], offering)
    do_register(app, world.learners[1], other)

    client = client_for(app, world.learners[0])
    url = feed_url(client)
    assert url.endswith(".ics") and len(url.rsplit("/", 1)[1]) >= 40
    found = {str(event["UID"]): event for event in events(app.test_client(), url)}  # no session needed
    assert set(found) == {f"meeting-{winter}@lms", f"meeting-{winter + 1}@lms"}
    event = found[f"meeting-{winter}@lms"]
    start = event.decoded("DTSTART")
    assert start == datetime(2026, 12, 7, 18, 0, tzinfo=PARIS)
    assert (start.hour, start.minute) == (18, 0) and str(start.tzinfo) == "Europe/Paris"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTEND") == datetime(2026, 12, 7, 21, 0, tzinfo=PARIS)
    assert "NFA031" in str(event["SUMMARY"]) and "Programmation avancée" in str(event["SUMMARY"])
    assert "31.2.85" in str(event["LOCATION"])
    summer = found[f"meeting-{winter + 1}@lms"].decoded("DTSTART")
    assert (summer.hour, summer.minute) == (18, 30)  # summer time handled
    assert "https://visio.example/nfa031" in str(found[f"meeting-{winter + 1}@lms"]["LOCATION"])
    with app.app_context():
        feed = db.session.scalar(sa.select(CalendarFeed))
        assert feed.last_read_at is not None


def test_moved_meeting_has_a_higher_sequence_and_cancelled_one_is_cancelled(app):
    world = build_world(app)
    offering = add_offering(app, world, opens=None, closes=None)
    moved = add_meeting(app, offering, date(2026, 12, 7), time(18, 0), time(21, 0))
    cancelled = add_meeting(app, offering, date(2026, 12, 14), time(18, 0), time(21, 0))
    do_register(app, world.learners[0], offering)
    client = client_for(app, world.learners[0])
    url = feed_url(client)
    before = {str(e["UID"]): e for e in events(client, url)}

    with app.app_context():
        meeting = db.session.get(Meeting, moved)
        meeting.starts_at = utc_moment(date(2026, 12, 9), time(18, 30), "Europe/Paris")
        meeting.ends_at = utc_moment(date(2026, 12, 9), time(21, 30), "Europe/Paris")
        meeting.sequence += 1
        meeting.updated_at = utcnow()
        gone = db.session.get(Meeting, cancelled)
        gone.status = MeetingStatus.CANCELLED
        gone.notice = "Enseignant malade"
        gone.sequence += 1
        gone.updated_at = utcnow()
        db.session.commit()

    after = {str(e["UID"]): e for e in events(client, url)}
    assert set(after) == set(before)
    uid = f"meeting-{moved}@lms"
    assert after[uid].decoded("SEQUENCE") > before[uid].decoded("SEQUENCE")
    assert after[uid].decoded("DTSTART") == datetime(2026, 12, 9, 18, 30, tzinfo=PARIS)
    assert "LAST-MODIFIED" in after[uid]
    assert str(after[f"meeting-{cancelled}@lms"]["STATUS"]) == "CANCELLED"
    assert str(before[f"meeting-{cancelled}@lms"]["STATUS"]) == "CONFIRMED"


def test_withdrawn_registration_leaves_the_feed(app):
    world = build_world(app)
    offering = add_offering(app, world, opens=None, closes=None)
    add_meeting(app, offering, date(2026, 12, 7), time(18, 0), time(21, 0))
    do_register(app, world.learners[0], offering)
    client = client_for(app, world.learners[0])
    url = feed_url(client)
    assert len(events(client, url)) == 1
    token = csrf_token(client.get("/offerings").text)
    assert client.post(f"/offerings/{offering}/withdraw", data={"csrf_token": token}).status_code == 302
    assert events(client, url) == []


def test_revoked_or_unknown_token_is_404_and_a_new_feed_gets_a_new_token(app):
    world = build_world(app)
    client = client_for(app, world.learners[0])
    url = feed_url(client)
    path = url.removeprefix("http://localhost")
    assert client.get(path).status_code == 200
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get("/calendar/" + "x" * 300 + ".ics").status_code == 404

    page = client.get("/calendar")
    assert client.post("/calendar/revoke", data={"csrf_token": csrf_token(page.text)}).status_code == 302
    assert client.get(path).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CalendarFeed.id))) == 0
    second = feed_url(client)
    assert second != url
    assert client.get(second.removeprefix("http://localhost")).status_code == 200


@pytest.mark.sqlite_only
def test_feed_actions_need_the_csrf_token(app):
    world = build_world(app)
    client = client_for(app, world.learners[0])
    assert client.post("/calendar/create", data={}).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CalendarFeed.id))) == 0
