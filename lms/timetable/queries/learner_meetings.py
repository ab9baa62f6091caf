"""The learner's meetings (the week, upcoming and past), their calendar feed and their
registration on an offering. Every read is one statement whatever the number of meetings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from lms.catalog.models import Unit
from lms.core.paging import Page, paginate
from lms.core.time import local_time
from lms.extensions import db
from lms.timetable.models import (
    CalendarFeed,
    Centre,
    Meeting,
    Offering,
    Registration,
    RegistrationStatus,
    semester_order,
)

# --- the learner's meetings ---------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingLine:
    meeting: Meeting
    offering: Offering
    unit: Unit
    centre: Centre

    @property
    def starts(self) -> datetime:
        return local_time(self.meeting.starts_at, self.centre.timezone)

    @property
    def ends(self) -> datetime:
        return local_time(self.meeting.ends_at, self.centre.timezone)

    @property
    def cancelled(self) -> bool:
        return self.meeting.status == "cancelled"


def _meetings(
    learner_id: int, *conditions: Any, order: Iterable[Any] = (), limit: int | None = None
) -> list[MeetingLine]:
    query = (
        sa.select(Meeting, Offering, Unit, Centre)
        .join(Offering, Meeting.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Centre, Offering.centre_id == Centre.id)
        .join(Registration, Registration.offering_id == Offering.id)
        .where(
            Registration.learner_id == learner_id,
            Registration.status == RegistrationStatus.REGISTERED,
            *conditions,
        )
        .order_by(*(order or (Meeting.starts_at, Meeting.id)))
    )
    if limit is not None:
        query = query.limit(limit)
    return [MeetingLine(*row) for row in db.session.execute(query)]


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def week_meetings(learner_id: int, monday: date) -> dict[date, list[MeetingLine]]:
    """Meetings of the week starting ``monday``, by local day (each in its centre's timezone);
    every day of the week is a key, in order."""
    start = datetime.combine(monday - timedelta(days=1), time(0), tzinfo=UTC)
    end = datetime.combine(monday + timedelta(days=8), time(0), tzinfo=UTC)
    days: dict[date, list[MeetingLine]] = {monday + timedelta(days=n): [] for n in range(7)}
    for line in _meetings(learner_id, Meeting.starts_at >= start, Meeting.starts_at < end):
        day = line.starts.date()
        if day in days:
            days[day].append(line)
    return days


def upcoming_and_past(learner_id: int, now: datetime, limit: int = 200) -> tuple[list[MeetingLine], list[MeetingLine]]:
    upcoming = _meetings(learner_id, Meeting.ends_at >= now, limit=limit)
    past = _meetings(
        learner_id, Meeting.ends_at < now, order=(Meeting.starts_at.desc(), Meeting.id.desc()), limit=limit
    )
    return upcoming, past


def offering_meetings(learner_id: int, offering_id: int) -> list[MeetingLine]:
    """The meetings of one offering as the learner's timetable shows them (registered only)."""
    return _meetings(learner_id, Meeting.offering_id == offering_id)


def feed_meetings(learner_id: int) -> list[MeetingLine]:
    return _meetings(learner_id)


def feed_of(learner_id: int) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.learner_id == learner_id))


def feed_by_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token == token))


def learner_registration(learner_id: int, offering_id: int) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(Registration.learner_id == learner_id, Registration.offering_id == offering_id)
    )


# --- the learner's registrations ----------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationLine:
    registration: Registration
    offering: Offering
    unit: Unit
    centre: Centre


def _registrations(*conditions: Any) -> sa.Select:
    return (
        sa.select(Registration, Offering, Unit, Centre)
        .join(Offering, Registration.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Centre, Offering.centre_id == Centre.id)
        .where(*conditions)
    )


def learner_registrations(
    learner_id: int, page: int = 1, per_page: int = 50, status: RegistrationStatus | None = None
) -> Page[RegistrationLine]:
    """A page of the learner's registrations (every status, or one), latest year first: two statements."""
    conditions: list[Any] = [Registration.learner_id == learner_id]
    if status is not None:
        conditions.append(Registration.status == status)
    count = sa.select(sa.func.count(Registration.id)).where(*conditions)
    query = _registrations(*conditions).order_by(
        Offering.academic_year.desc(), semester_order(Offering.semester), Unit.code, Registration.id
    )
    found = paginate(query, page, per_page, count=count)
    return found.with_rows([RegistrationLine(*row) for row in found.rows])


def registration_line(learner_id: int, registration_id: int) -> RegistrationLine | None:
    """One of the learner's registrations (None if it is not theirs)."""
    row = db.session.execute(
        _registrations(Registration.id == registration_id, Registration.learner_id == learner_id)
    ).first()
    return RegistrationLine(*row) if row else None
