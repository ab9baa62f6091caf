"""One meeting of an offering: the checks of its place and time, adding it, and reading it back
in the wall clock of its centre. Changes (moves, cancellations) are in :mod:`.meeting_changes`,
the recurring generator in :mod:`.generator`. Writes flush, never commit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from lms.core.errors import Refusal
from lms.core.i18n import lazy_gettext as _l
from lms.core.time import local_time, utc_moment
from lms.extensions import db
from lms.timetable.models import Meeting, MeetingMode, MeetingStatus, Offering
from lms.timetable.services.school_days import semester_bounds

log = logging.getLogger(__name__)


class MeetingRejected(Refusal):
    """A meeting that cannot be written as asked; ``field`` names the form field at fault (None:
    the state of things forbids it: a conflict)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message, field, status=422 if field else 409)


def clashes(
    offering: Offering,
    starts_at: datetime,
    ends_at: datetime,
    ignore_id: int | None = None,
) -> bool:
    query = sa.select(sa.func.count(Meeting.id)).where(
        Meeting.offering_id == offering.id,
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at < ends_at,
        Meeting.ends_at > starts_at,
    )
    if ignore_id is not None:
        query = query.where(Meeting.id != ignore_id)
    return bool(db.session.scalar(query))


# --- one meeting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingInput:
    day: date
    start: time
    end: time
    mode: MeetingMode
    room: str | None = None
    video_url: str | None = None
    outside_period: bool = False  # the administrator confirmed a day outside the offering's period


def check_period(offering: Offering, data: MeetingInput) -> bool:
    """A meeting's day lies in its offering's period (:func:`semester_bounds`), unless the
    administrator confirmed it outside (an exam week in July, a catch-up session in September).
    Returns whether the meeting is outside its period."""
    first, last = semester_bounds(offering.academic_year, offering.semester)
    if first <= data.day <= last:
        return False
    if not data.outside_period:
        raise MeetingRejected(
            _l(
                "%(day)s is outside the offering's period (%(first)s to %(last)s): tick “Outside the period” to confirm this date.",
                day=data.day.isoformat(),
                first=first.isoformat(),
                last=last.isoformat(),
            ),
            "day",
        )
    return True


def log_outside_period(meeting: Meeting, data: MeetingInput, action: str) -> None:
    """Meetings have no history table: a confirmed date outside the period goes to the log."""
    first, last = semester_bounds(meeting.offering.academic_year, meeting.offering.semester)
    log.warning(
        "meeting %s of offering %s %s on %s, outside its period %s..%s (confirmed)",
        meeting.id,
        meeting.offering_id,
        action,
        data.day.isoformat(),
        first.isoformat(),
        last.isoformat(),
    )


def check_place(mode: MeetingMode | str, room: str | None, video_url: str | None) -> None:
    """In person or both need a room; remote or both need an https video link."""
    mode = MeetingMode(mode)
    if mode in (MeetingMode.IN_PERSON, MeetingMode.BOTH) and not (room or "").strip():
        raise MeetingRejected(_l("A meeting in person needs a room."), "room")
    if mode in (MeetingMode.REMOTE, MeetingMode.BOTH):
        if not (video_url or "").strip():
            raise MeetingRejected(_l("A remote meeting needs a video link."), "video_url")
        if not re.match(r"^https://[^\s/]+\.[^\s]+$", video_url.strip()):
            raise MeetingRejected(_l("The video link must be an https:// address."), "video_url")


FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_PERIOD = timedelta(days=731)  # two academic years at most in one go


def in_range(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def moments(offering: Offering, day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """UTC start and end of a meeting given in the wall clock of the offering's centre."""
    if end <= start:
        raise MeetingRejected(_l("The meeting must end after it starts."), "end")
    if not in_range(day):
        raise MeetingRejected(_l("Choose a date between 1990 and 2100."), "day")
    tz = offering.centre.timezone
    return utc_moment(day, start, tz), utc_moment(day, end, tz)


def place(mode: MeetingMode, room: str | None, video_url: str | None) -> tuple[str | None, str | None]:
    room = (room or "").strip() or None
    video_url = (video_url or "").strip() or None
    if mode == MeetingMode.REMOTE:
        room = None
    if mode == MeetingMode.IN_PERSON:
        video_url = None
    return room, video_url


def add_meeting(offering: Offering, data: MeetingInput) -> Meeting:
    check_place(data.mode, data.room, data.video_url)
    starts_at, ends_at = moments(offering, data.day, data.start, data.end)
    outside = check_period(offering, data)
    if clashes(offering, starts_at, ends_at):
        raise MeetingRejected(_l("Another meeting of this offering is scheduled at that time."), "start")
    room, video_url = place(data.mode, data.room, data.video_url)
    meeting = Meeting(
        offering=offering,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=data.mode,
        room=room,
        video_url=video_url,
    )
    db.session.add(meeting)
    db.session.flush()
    if outside:
        log_outside_period(meeting, data, "added")
    return meeting


def wall_clock(meeting: Meeting) -> tuple[datetime, datetime]:
    tz = meeting.offering.centre.timezone
    return local_time(meeting.starts_at, tz), local_time(meeting.ends_at, tz)


def describe(meeting: Meeting):
    """The meeting's day and times at its centre, for notifications, as it is now (the text is
    made later, in each recipient's language: :func:`meeting_moment`)."""
    start, end = wall_clock(meeting)
    return meeting_moment(start.date(), f"{start:%H:%M}", f"{end:%H:%M}", meeting.offering.centre.timezone)


def meeting_moment(day: date, start: str, end: str, timezone: str):
    """A lazy "mardi 20 octobre 2026, 18:00–20:00 (Europe/Paris)": the day in the reader's language."""
    from flask_babel import LazyString, format_date

    return LazyString(lambda: f"{format_date(day, 'full')}, {start}–{end} ({timezone})")


def aware(moment: datetime) -> datetime:
    """A stored moment as UTC-aware (SQLite gives it back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
