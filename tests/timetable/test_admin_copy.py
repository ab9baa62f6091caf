"""Copying a year: preview writes nothing; the copy shifts dates (29 February → 28 February),
keeps tutors, capacity and meeting local times, never copies registrations; existing offerings
are skipped and a second run creates nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from lms.core.time import local_time
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
from lms.timetable.services.offerings import shift_meeting_moment, shift_year
from tests.helpers import client_for
from tests.timetable.test_admin_world import (
    BASE,
    build_admin_world,
    count,
    post_form,
)


def test_shift_year_handles_29_february():
    assert shift_year(date(2028, 2, 29)) == date(2029, 2, 28)
    assert shift_year(date(2027, 3, 1)) == date(2028, 3, 1)
    assert shift_year(None) is None


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
