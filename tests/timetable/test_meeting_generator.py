"""The recurring-meeting generator: the pure date logic (holidays, closures, daylight-saving
changes, empty results) and the page (preview, then all meetings at once, stored in UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from lms.accounts.models import Role
from lms.core.time import utc_moment
from lms.timetable.models import Meeting, MeetingStatus, Semester
from lms.timetable.services.school_days import (
    Closure,
    french_holidays,
    parse_closures,
    recurring_dates,
    semester_bounds,
    skip_reasons,
)
from tests.helpers import client_for, make_user
from tests.timetable.test_admin_world import (
    BASE,
    build_admin_world,
    count,
    meetings_of,
    post_form,
)

TUESDAY, WEDNESDAY, SUNDAY = 1, 2, 6


# --- pure logic ----------------------------------------------------------------------------------


def test_semester_bounds():
    assert semester_bounds(2026, Semester.S1) == (date(2026, 10, 1), date(2027, 2, 28))
    assert semester_bounds(2027, "S1") == (
        date(2027, 10, 1),
        date(2028, 2, 29),
    )  # leap year
    assert semester_bounds(2026, "S2") == (date(2027, 2, 1), date(2027, 6, 30))
    assert semester_bounds(2026, "A") == (date(2026, 10, 1), date(2027, 6, 30))


def test_every_weekday_between_the_bounds():
    days, skipped = recurring_dates(date(2026, 10, 1), date(2026, 10, 31), TUESDAY)
    assert days == [
        date(2026, 10, 6),
        date(2026, 10, 13),
        date(2026, 10, 20),
        date(2026, 10, 27),
    ]
    assert skipped == []
    # the bounds themselves count when they fall on the weekday
    assert recurring_dates(date(2026, 10, 6), date(2026, 10, 27), TUESDAY)[0][0] == date(2026, 10, 6)
    assert recurring_dates(date(2026, 10, 6), date(2026, 10, 27), TUESDAY)[0][-1] == date(2026, 10, 27)


def test_french_holidays_are_skipped_with_their_name():
    first, last = date(2026, 10, 1), date(2027, 6, 30)
    holidays = french_holidays(first, last)
    # 11 November 2026 and 5 May 2027... are Wednesdays: Armistice and nothing; 14 July is outside
    days, skipped = recurring_dates(first, last, WEDNESDAY, skip_reasons(first, last, (), holidays))
    skipped_days = dict(skipped)
    assert date(2026, 11, 11) in skipped_days and "Armistice" in skipped_days[date(2026, 11, 11)]
    assert date(2026, 11, 11) not in days
    assert all(day.weekday() == WEDNESDAY for day in days)
    assert len(days) + len(skipped) == 39  # every Wednesday of the year is either kept or explained


def test_closures_and_holidays_together():
    first, last = date(2026, 12, 1), date(2027, 1, 31)
    closures, errors = parse_closures("2026-12-21..2027-01-03 Christmas break\n\n# comment\n2027-01-12")
    assert errors == []
    holidays = french_holidays(first, last)  # 25 December and 1 January are both Fridays
    days, skipped = recurring_dates(first, last, TUESDAY, skip_reasons(first, last, closures, holidays))
    assert skipped == [
        (date(2026, 12, 22), "Closure: Christmas break"),
        (date(2026, 12, 29), "Closure: Christmas break"),
        (date(2027, 1, 12), "Listed closure"),
    ]
    assert days == [
        date(2026, 12, 1),
        date(2026, 12, 8),
        date(2026, 12, 15),
        date(2027, 1, 5),
        date(2027, 1, 19),
        date(2027, 1, 26),
    ]
    _fridays, skipped_fridays = recurring_dates(first, last, 4, skip_reasons(first, last, (), holidays))
    assert [day for day, _ in skipped_fridays] == [date(2026, 12, 25), date(2027, 1, 1)]


def test_empty_results():
    assert recurring_dates(date(2026, 10, 5), date(2026, 10, 5), TUESDAY) == (
        [],
        [],
    )  # a Monday only
    assert recurring_dates(date(2026, 10, 31), date(2026, 10, 1), TUESDAY) == (
        [],
        [],
    )  # reversed bounds
    everything = skip_reasons(
        date(2026, 10, 1),
        date(2026, 10, 31),
        [Closure(date(2026, 9, 1), date(2026, 11, 30))],
    )
    days, skipped = recurring_dates(date(2026, 10, 1), date(2026, 10, 31), TUESDAY, everything)
    assert days == [] and len(skipped) == 4


def test_sundays_across_both_daylight_saving_changes_keep_the_local_time():
    # last Sunday of October 2026 (25th) and of March 2027 (28th) are both kept dates
    days, _ = recurring_dates(date(2026, 10, 18), date(2027, 4, 4), SUNDAY)
    assert date(2026, 10, 25) in days and date(2027, 3, 28) in days
    hours = {day: utc_moment(day, time(18, 0), "Europe/Paris").hour for day in days}
    assert hours[date(2026, 10, 18)] == 16  # summer time
    assert hours[date(2026, 10, 25)] == 17  # winter time from that very day
    assert hours[date(2027, 3, 21)] == 17
    assert hours[date(2027, 3, 28)] == 16  # summer time again
    assert set(hours.values()) == {16, 17}


def test_closure_lines_are_checked_one_by_one():
    closures, errors = parse_closures(
        "2026-11-02\nnext monday\n2026-02-30\n2027-01-03..2026-12-21\n2026-12-21 .. 2027-01-03"
    )
    assert closures == [
        Closure(date(2026, 11, 2), date(2026, 11, 2)),
        Closure(date(2026, 12, 21), date(2027, 1, 3)),
    ]
    assert len(errors) == 3
    assert errors[0].startswith("Line 2:") and errors[1].startswith("Line 3:") and errors[2].startswith("Line 4:")


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture
def world(app):
    return build_admin_world(app)


@pytest.fixture
def admin(app, world):
    return client_for(app, "admin@example.org")


FORM = {
    "weekday": "1",
    "start": "18:00",
    "end": "20:00",
    "first": "2026-10-01",
    "last": "2026-11-30",
    "mode": "both",
    "room": "31.2.85",
    "video_url": "https://visio.example.org/nfa031",
    "closures": "2026-11-10 Exams week",
    "skip_holidays": "y",
}


def generate_path(world) -> str:
    return f"{BASE}/offerings/{world.offering}/meetings/generate"


@pytest.mark.sqlite_only
def test_the_form_defaults_to_the_semester(world, admin):
    page = admin.get(generate_path(world)).text
    assert 'value="2026-10-01"' in page and 'value="2027-02-28"' in page
    assert "checked" in page  # French public holidays skipped by default


def test_preview_then_create_across_the_daylight_saving_change(app, world, admin):
    preview = post_form(admin, generate_path(world), {**FORM, "preview": "1"})
    assert preview.status_code == 200
    assert "7 meetings will be created" in preview.text and "1 date skipped" in preview.text
    assert "Tuesday, November 10, 2026" in preview.text and "Closure: Exams week" in preview.text
    assert count(app, Meeting) == 0

    created = post_form(admin, generate_path(world), {**FORM, "confirm": "1"})
    assert created.status_code == 302
    meetings = meetings_of(app, world.offering)
    assert len(meetings) == 7
    by_day = {meeting.starts_at.date(): meeting for meeting in meetings}
    assert by_day[date(2026, 10, 20)].starts_at == datetime(2026, 10, 20, 16, 0, tzinfo=UTC)  # 18:00 Paris, October
    assert by_day[date(2026, 11, 3)].starts_at == datetime(2026, 11, 3, 17, 0, tzinfo=UTC)  # 18:00 Paris, November
    assert by_day[date(2026, 11, 3)].ends_at == datetime(2026, 11, 3, 19, 0, tzinfo=UTC)
    assert all(m.room == "31.2.85" and m.video_url == "https://visio.example.org/nfa031" for m in meetings)
    assert all(m.status == MeetingStatus.SCHEDULED and m.sequence == 0 for m in meetings)

    # run again: every date clashes with the meeting now there, nothing more is created
    again = post_form(admin, generate_path(world), {**FORM, "preview": "1"})
    assert "0 meetings will be created" in again.text and "Clashes with an existing meeting" in again.text
    post_form(admin, generate_path(world), {**FORM, "confirm": "1"})
    assert count(app, Meeting) == 7


def test_holidays_are_skipped_only_when_asked(app, world, admin):
    wednesdays = {**FORM, "weekday": "2", "closures": ""}
    with_holidays = post_form(admin, generate_path(world), {**wednesdays, "preview": "1"})
    assert "Public holiday: Armistice Day" in with_holidays.text and "7 meetings will be created" in with_holidays.text
    without = {key: value for key, value in wednesdays.items() if key != "skip_holidays"}
    post_form(admin, generate_path(world), {**without, "confirm": "1"})
    assert date(2026, 11, 11) in {m.starts_at.date() for m in meetings_of(app, world.offering)}
    assert count(app, Meeting) == 8


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closures": "2026-11-10\nsoon"}, "Line 2:"),
        ({"end": "17:00"}, "The meeting must end after it starts."),
        ({"last": "2026-09-01"}, "The last day must not be before the first day."),
        ({"mode": "remote", "video_url": ""}, "A remote meeting needs a video link."),
        ({"first": "0001-01-01", "last": "0001-12-31"}, "between 1990 and 2100"),
        (
            {"first": "2020-01-01", "last": "2030-01-01", "weekday": "1"},
            "longer than two years",
        ),
    ],
)
def test_bad_generator_input_creates_nothing(app, world, admin, changes, message):
    response = post_form(admin, generate_path(world), {**FORM, **changes, "confirm": "1"})
    assert response.status_code == 422 and message in response.text
    assert count(app, Meeting) == 0


def test_holiday_names_follow_the_page_language(app, world):
    """French pages name holidays in French (never "Armistice Day"), English pages in English."""
    make_user(app, "admin.fr@example.org", [Role.ADMIN], name="Admin FR", locale="fr")
    french = client_for(app, "admin.fr@example.org")
    wednesdays = {**FORM, "weekday": "2", "closures": "", "preview": "1"}
    page = post_form(french, generate_path(world), wednesdays).text
    assert "Jour férié : Armistice" in page and "Armistice Day" not in page
    english = post_form(client_for(app, "admin@example.org"), generate_path(world), wednesdays).text
    assert "Public holiday: Armistice Day" in english
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    assert french_holidays(first, last)[date(2026, 11, 1)] == "Toussaint"
    assert french_holidays(first, last, "en")[date(2026, 11, 1)] == "All Saints' Day"
