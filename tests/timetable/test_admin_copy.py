"""Copying a year: preview writes nothing; the copy shifts dates (29 February → 28 February),
keeps tutors, capacity and meeting local times, never copies registrations; existing offerings
are skipped and a second run creates nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from lms.catalog.models import Unit
from lms.core.time import local_time, utc_moment
from lms.extensions import db
from lms.timetable.models import (
    Meeting,
    MeetingMode,
    MeetingStatus,
    Modality,
    Offering,
    Registration,
    Semester,
)
from lms.timetable.services.offerings import ONE_YEAR, shift_meeting_moment
from tests.helpers import client_for
from tests.timetable.test_admin_world import (
    BASE,
    build_admin_world,
    count,
    post_form,
)


def test_copied_dates_move_one_year_and_29_february_becomes_28():
    assert date(2028, 2, 29) + ONE_YEAR == date(2029, 2, 28)
    assert date(2027, 3, 1) + ONE_YEAR == date(2028, 3, 1)


def test_meeting_shift_keeps_weekday_and_local_time_across_daylight_saving():
    # Tuesday 27 October 2026 18:00 Paris (winter time, 17:00 UTC) → Tuesday 26 October 2027,
    # still summer time that day: 18:00 Paris = 16:00 UTC.
    moved = shift_meeting_moment(datetime(2026, 10, 27, 17, 0, tzinfo=UTC), "Europe/Paris")
    assert moved == datetime(2027, 10, 26, 16, 0, tzinfo=UTC)
    assert local_time(moved, "Europe/Paris").strftime("%a %H:%M") == "Tue 18:00"


@pytest.fixture
def world(app):
    world = build_admin_world(app)
    with app.app_context():
        source = db.session.get(Offering, world.offering)
        source.exam1_on = date(2027, 2, 1)
        source.jury2_on = date(2028, 2, 29)  # a leap day
        db.session.add_all(
            [
                Meeting(
                    offering=source,
                    starts_at=datetime(2026, 10, 27, 17, 0, tzinfo=UTC),
                    ends_at=datetime(2026, 10, 27, 19, 0, tzinfo=UTC),
                    mode=MeetingMode.IN_PERSON,
                    room="31.2.85",
                ),
                Meeting(
                    offering=source,
                    starts_at=datetime(2026, 11, 3, 17, 0, tzinfo=UTC),
                    ends_at=datetime(2026, 11, 3, 19, 0, tzinfo=UTC),
                    mode=MeetingMode.IN_PERSON,
                    room="31.2.85",
                    status=MeetingStatus.CANCELLED,
                    notice="grève",
                ),
            ]
        )
        other = Offering(
            unit=source.unit,
            academic_year=2026,
            semester=Semester.S2,
            modality=Modality.FOAD,
            centre=source.centre,
        )
        twin = Offering(
            unit=source.unit,
            academic_year=2027,
            semester=Semester.S2,
            modality=Modality.FOAD,
            centre=source.centre,
        )
        db.session.add_all([other, twin])
        db.session.commit()
    return world


@pytest.fixture
def admin(app, world):
    return client_for(app, "admin@example.org")


def test_preview_counts_and_writes_nothing(app, world, admin):
    response = post_form(admin, f"{BASE}/offerings/copy", {"year": "2026", "preview": "1"})
    assert response.status_code == 200
    text = response.text
    assert "1 offering will be created" in text and "with 1 meeting" in text
    assert "1 already exists and is skipped" in text
    assert "52 weeks later" in text and "never copied" in text
    assert count(app, Offering) == 3


def test_copy_shifts_dates_keeps_tutors_and_skips_existing(app, world, admin):
    response = post_form(admin, f"{BASE}/offerings/copy", {"year": "2026", "confirm": "1"})
    assert response.status_code == 302 and response.headers["Location"] == f"{BASE}/offerings?year=2027"
    with app.app_context():
        copies = list(db.session.scalars(sa.select(Offering).where(Offering.academic_year == 2027)))
        assert len(copies) == 2  # the S1 copy and the twin that already existed
        copy = next(offering for offering in copies if offering.semester == Semester.S1)
        assert copy.capacity == 2 and copy.modality == Modality.FOAD and copy.centre.code == "PAR"
        assert [tutor.email for tutor in copy.tutors] == ["tutor@example.org"]
        assert (copy.registration_opens_on, copy.registration_closes_on) == (
            date(2027, 6, 1),
            date(2027, 10, 15),
        )
        assert copy.exam1_on == date(2028, 2, 1) and copy.jury2_on == date(2029, 2, 28)
        meetings = list(db.session.scalars(sa.select(Meeting).where(Meeting.offering_id == copy.id)))
        assert len(meetings) == 1  # the cancelled one is not copied
        assert meetings[0].starts_at == datetime(2027, 10, 26, 16, 0, tzinfo=UTC)
        assert meetings[0].room == "31.2.85" and meetings[0].sequence == 0
        assert (
            db.session.scalar(sa.select(sa.func.count(Registration.id)).where(Registration.offering_id == copy.id)) == 0
        )
    assert count(app, Offering) == 4

    again = post_form(admin, f"{BASE}/offerings/copy", {"year": "2026", "preview": "1"})
    assert "0 offerings will be created" in again.text and "Nothing to copy" in again.text
    post_form(admin, f"{BASE}/offerings/copy", {"year": "2026", "confirm": "1"})
    assert count(app, Offering) == 4


@pytest.mark.sqlite_only
def test_bad_year_is_a_form_error(app, world, admin):
    response = post_form(admin, f"{BASE}/offerings/copy", {"year": "twenty", "confirm": "1"})
    assert response.status_code == 422 and "Not a valid integer" in response.text
    assert count(app, Offering) == 3


# --- the copy skips public holidays and closures, like the recurring generator -----------------------

PARIS = "Europe/Paris"
# The French public holidays of 2026-2027 between October and June, and a Christmas closure.
HOLIDAYS_2026_2027 = {
    date(2026, 11, 1): "All Saints' Day",
    date(2026, 11, 11): "Armistice Day",
    date(2026, 12, 25): "Christmas Day",
    date(2027, 1, 1): "New Year's Day",
    date(2027, 3, 29): "Easter Monday",
    date(2027, 5, 1): "Labor Day",
    date(2027, 5, 6): "Ascension Day",
    date(2027, 5, 8): "Victory Day",
    date(2027, 5, 17): "Whit Monday",
}
CHRISTMAS = "2026-12-19..2027-01-03 Christmas break"


@pytest.fixture
def daily_year(app, world):
    """NFA032 in 2025-2026 with a meeting every day from 1 October 2025 to 30 June 2026 at 18:00
    in Paris (holidays included, as if entered by hand): its copy lands on every day of 2026-2027."""
    with app.app_context():
        source = db.session.get(Offering, world.offering)
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == "NFA032"))
        offering = Offering(
            unit=unit, academic_year=2025, semester=Semester.A, modality=Modality.HYBRIDE_SOIR, centre=source.centre
        )
        day, meetings = date(2025, 10, 1), []
        while day <= date(2026, 6, 30):
            meetings.append(
                Meeting(
                    offering=offering,
                    starts_at=utc_moment(day, time(18), PARIS),
                    ends_at=utc_moment(day, time(20), PARIS),
                    mode=MeetingMode.BOTH,
                    room="31.2.85",
                    video_url="https://visio.example.org/nfa032",
                )
            )
            day += timedelta(days=1)
        db.session.add_all([offering, *meetings])
        db.session.commit()
        return len(meetings)


def copied_days(app) -> list[date]:
    with app.app_context():
        starts = db.session.scalars(
            sa.select(Meeting.starts_at)
            .join(Offering, Meeting.offering_id == Offering.id)
            .where(Offering.academic_year == 2026, Offering.semester == Semester.A)
        )
        return sorted(
            local_time(start if start.tzinfo else start.replace(tzinfo=UTC), PARIS).date() for start in starts
        )


def test_copying_a_year_skips_public_holidays_and_closures(app, daily_year, admin):
    preview = post_form(admin, f"{BASE}/offerings/copy", {"year": "2025", "closures": CHRISTMAS, "preview": "1"})
    assert preview.status_code == 200
    closure_days = [date(2026, 12, 19) + timedelta(days=n) for n in range(16)]
    skipped = set(HOLIDAYS_2026_2027) | set(closure_days)
    assert f"with {daily_year - len(skipped)} meetings" in preview.text
    assert f"{len(skipped)} meetings not copied: public holidays or closures" in preview.text
    assert "Thursday, May 6, 2027" in preview.text and "Public holiday: Ascension Day" in preview.text
    assert "Thursday, December 24, 2026" in preview.text and "Closure: Christmas break" in preview.text
    assert copied_days(app) == []

    response = post_form(admin, f"{BASE}/offerings/copy", {"year": "2025", "closures": CHRISTMAS, "confirm": "1"})
    assert response.status_code == 302
    days = copied_days(app)
    assert len(days) == daily_year - len(skipped) and not skipped & set(days)
    # every other day of the year is kept, 52 weeks after its source (1 October 2025 → 30 September 2026)
    assert days[0] == date(2026, 9, 30) and days[-1] == date(2027, 6, 29)
    assert date(2026, 11, 2) in days and date(2027, 1, 4) in days and date(2026, 12, 18) in days


def test_the_copy_uses_the_generators_skipping(app, daily_year):
    """One place for the days to skip: the copy calls the very function the generator calls."""
    from lms.timetable.services import generator, offerings, school_days

    assert offerings.days_to_skip is school_days.days_to_skip is generator.days_to_skip
    with app.test_request_context():
        plan = offerings.plan_copy(2025)
    assert {skipped.day for skipped in plan.skipped_days} == set(HOLIDAYS_2026_2027)
    assert {skipped.reason for skipped in plan.skipped_days} >= {"Jour férié : Toussaint", "Jour férié : Ascension"}


def test_bad_closures_are_a_form_error_and_copy_nothing(app, daily_year, admin):
    response = post_form(admin, f"{BASE}/offerings/copy", {"year": "2025", "closures": "2026-13-01", "confirm": "1"})
    assert response.status_code == 422 and "Line 1:" in response.text
    assert copied_days(app) == []
