"""The learner's timetable: the week (Monday to Sunday, previous and next weeks), the list
(upcoming, then past), times in the centre's timezone, cancelled meetings struck with their
notice, only offerings the learner is registered for, and only their own."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from lms.core.time import utcnow
from lms.extensions import db
from lms.timetable.models import (
    Centre,
    Meeting,
    MeetingMode,
    MeetingStatus,
    Modality,
    Offering,
)
from lms.timetable.queries.learner_meetings import week_start
from tests.helpers import client_for
from tests.timetable.test_calendar_feed import add_meeting
from tests.timetable.test_registrations import (
    add_offering,
    build_world,
    do_register,
)


def text(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_week_start_is_monday():
    assert week_start(date(2026, 12, 9)) == date(2026, 12, 7)
    assert week_start(date(2026, 12, 7)) == date(2026, 12, 7)
    assert week_start(date(2026, 12, 13)) == date(2026, 12, 7)


def test_week_view_shows_the_meetings_of_the_week_by_day(app):
    world = build_world(app, learners=2)
    offering = add_offering(app, world, "NFA031", opens=None, closes=None)
    other = add_offering(app, world, "NFA032", opens=None, closes=None)
    add_meeting(app, offering, date(2026, 12, 8), time(18, 0), time(21, 0))
    add_meeting(
        app,
        offering,
        date(2026, 12, 10),
        time(18, 30),
        time(21, 30),
        mode=MeetingMode.REMOTE,
        room=None,
        video_url="https://visio.example/nfa031",
    )
    cancelled = add_meeting(
        app,
        offering,
        date(2026, 12, 12),
        time(9, 0),
        time(12, 0),
        status=MeetingStatus.CANCELLED,
        notice="Salle indisponible",
    )
    add_meeting(app, offering, date(2026, 12, 15), time(18, 0), time(21, 0))  # next week
    add_meeting(app, other, date(2026, 12, 9), time(18, 0), time(21, 0))  # someone else's unit
    do_register(app, world.learners[0], offering)
    do_register(app, world.learners[1], other)

    client = client_for(app, world.learners[0])
    page = client.get("/timetable?week=2026-12-09")
    assert page.status_code == 200
    body = text(page.text)
    assert body.count("Programmation avancée") == 3 and "NFA032" not in body
    assert "18:00–21:00" in body and "18:30–21:30" in body  # Paris wall-clock, not UTC
    assert "Room 31.2.85" in body and 'href="https://visio.example/nfa031"' in page.text
    assert "<del>" in page.text and "Salle indisponible" in body and "Cancelled" in body
    # one heading per day, Monday to Sunday, in order
    days = re.findall(r'<h3 class="h6" id="day-([0-9-]+)"', page.text)
    assert days == [(date(2026, 12, 7) + timedelta(days=n)).isoformat() for n in range(7)]
    assert "week=2026-11-30" in page.text and "week=2026-12-14" in page.text
    nxt = text(client.get("/timetable?week=2026-12-14").text)
    assert nxt.count("Programmation avancée") == 1
    assert cancelled


def test_only_registered_offerings_show(app):
    world = build_world(app, learners=3)
    offering = add_offering(app, world, "NFA031", capacity=1, opens=None, closes=None)
    add_meeting(app, offering, date(2026, 12, 8), time(18, 0), time(21, 0))
    do_register(app, world.learners[1], offering)
    do_register(app, world.learners[0], offering)  # waiting list
    waitlisted = client_for(app, world.learners[0])
    assert "NFA031" not in text(waitlisted.get("/timetable?week=2026-12-08").text)
    assert "NFA031" in text(client_for(app, world.learners[1]).get("/timetable?week=2026-12-08").text)


def test_list_view_shows_upcoming_then_past(app):
    world = build_world(app)
    offering = add_offering(app, world, "NFA031", opens=None, closes=None)
    today = utcnow().date()
    add_meeting(app, offering, today + timedelta(days=3), time(18, 0), time(21, 0))
    add_meeting(app, offering, today - timedelta(days=3), time(9, 0), time(12, 0))
    do_register(app, world.learners[0], offering)
    page = client_for(app, world.learners[0]).get("/timetable/list")
    assert page.status_code == 200
    upcoming, past = text(page.text).split("Past meetings")
    assert "18:00–21:00" in upcoming and "09:00–12:00" not in upcoming
    assert "09:00–12:00" in past


def test_times_follow_the_centres_timezone(app):
    world = build_world(app)
    with app.app_context():
        centre = Centre(code="CAY", name="Cnam Guyane", city="Cayenne", timezone="America/Cayenne")
        db.session.add(centre)
        db.session.commit()
        world.centre = centre.id
    offering = add_offering(app, world, "NFA031", opens=None, closes=None, modality=Modality.FOAD)
    meeting = add_meeting(app, offering, date(2026, 12, 8), time(18, 0), time(21, 0))  # 18:00 Paris = 14:00 Cayenne
    do_register(app, world.learners[0], offering)
    body = text(client_for(app, world.learners[0]).get("/timetable?week=2026-12-08").text)
    assert "14:00–17:00 (America/Cayenne)" in body
    assert meeting


@pytest.mark.sqlite_only
def test_bad_week_is_a_400(app):
    world = build_world(app)
    client = client_for(app, world.learners[0])
    assert client.get("/timetable?week=not-a-date").status_code == 400
    assert client.get("/timetable?week=0001-01-01").status_code == 400
    assert client.get("/timetable").status_code == 200


@pytest.mark.sqlite_only
def test_a_learner_sees_only_their_own_timetable(app):
    world = build_world(app, learners=2)
    offering = add_offering(app, world, "NFA031", opens=None, closes=None)
    add_meeting(app, offering, date(2026, 12, 8), time(18, 0), time(21, 0))
    do_register(app, world.learners[0], offering)
    other = client_for(app, world.learners[1])
    # there is no learner id in the URLs: another learner's pages show their own (empty) timetable
    assert "NFA031" not in text(other.get("/timetable?week=2026-12-08").text)
    assert "NFA031" not in text(other.get("/timetable/list").text)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 1
        assert db.session.get(Offering, offering) is not None
