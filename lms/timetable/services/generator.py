"""The generator of recurring meetings: every given weekday of a period, skipping public holidays
and listed closures (:mod:`.school_days`) and clashes with existing meetings; previewed, then
created all at once. Writes flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa

from lms.core.i18n import lazy_gettext as _l
from lms.core.time import utc_moment
from lms.extensions import db
from lms.timetable.models import Meeting, MeetingMode, MeetingStatus, Offering
from lms.timetable.services.meetings import MAX_PERIOD, MeetingRejected, aware, check_place, in_range, place
from lms.timetable.services.school_days import Closure, days_to_skip, recurring_dates

MAX_GENERATED = 200  # a year of daily meetings is already far more than any offering holds


@dataclass(frozen=True)
class RecurrenceInput:
    weekday: int
    start: time
    end: time
    first: date
    last: date
    mode: MeetingMode
    room: str | None = None
    video_url: str | None = None
    closures: tuple[Closure, ...] = ()
    skip_holidays: bool = True


@dataclass
class GenerationPlan:
    create: list[tuple[date, datetime, datetime]] = field(default_factory=list)
    skipped: list[tuple[date, str]] = field(default_factory=list)


def plan_generation(offering: Offering, data: RecurrenceInput) -> GenerationPlan:
    """What the generator would do: the meetings to create (day, UTC start, UTC end) and the days
    skipped with why (holiday, listed closure, clash with an existing meeting)."""
    check_place(data.mode, data.room, data.video_url)
    if data.end <= data.start:
        raise MeetingRejected(_l("The meeting must end after it starts."), "end")
    if data.last < data.first:
        raise MeetingRejected(_l("The last day must not be before the first day."), "last")
    if not (in_range(data.first) and in_range(data.last)):
        raise MeetingRejected(_l("Choose dates between 1990 and 2100."), "first")
    if data.last - data.first > MAX_PERIOD:
        raise MeetingRejected(_l("The period cannot be longer than two years."), "last")
    skip = days_to_skip(data.first, data.last, data.closures, skip_holidays=data.skip_holidays)
    days, skipped = recurring_dates(data.first, data.last, data.weekday, skip)
    plan = GenerationPlan(skipped=list(skipped))
    tz = offering.centre.timezone
    existing = [
        (aware(start), aware(end))
        for start, end in db.session.execute(
            sa.select(Meeting.starts_at, Meeting.ends_at).where(
                Meeting.offering_id == offering.id,
                Meeting.status == MeetingStatus.SCHEDULED,
            )
        )
    ]
    for day in days:
        starts_at, ends_at = (
            utc_moment(day, data.start, tz),
            utc_moment(day, data.end, tz),
        )
        if any(start < ends_at and end > starts_at for start, end in existing):
            plan.skipped.append((day, str(_l("Clashes with an existing meeting"))))
        else:
            plan.create.append((day, starts_at, ends_at))
    plan.skipped.sort()
    if len(plan.create) > MAX_GENERATED:
        raise MeetingRejected(
            _l(
                "That makes %(num)d meetings, more than %(max)d: shorten the period.",
                num=len(plan.create),
                max=MAX_GENERATED,
            ),
            "last",
        )
    return plan


def generate_meetings(offering: Offering, data: RecurrenceInput) -> list[Meeting]:
    """Create every meeting of the plan at once."""
    plan = plan_generation(offering, data)
    room, video_url = place(data.mode, data.room, data.video_url)
    meetings = [
        Meeting(
            offering=offering,
            starts_at=starts_at,
            ends_at=ends_at,
            mode=data.mode,
            room=room,
            video_url=video_url,
        )
        for _day, starts_at, ends_at in plan.create
    ]
    db.session.add_all(meetings)
    db.session.flush()
    return meetings
