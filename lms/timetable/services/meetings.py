"""Meetings of an offering: add, edit (moving notifies the registered learners), cancel, restore,
and the generator of recurring meetings.

The date logic of the generator is pure (:func:`semester_bounds`, :func:`parse_closures`,
:func:`skip_reasons`, :func:`recurring_dates`): no Flask, no database. Writes flush, never commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.core.errors import Refusal
from lms.core.time import local_time, utc_moment, utcnow
from lms.extensions import db
from lms.timetable.models import (
    Meeting,
    MeetingMode,
    MeetingStatus,
    Offering,
    Registration,
    RegistrationStatus,
    Semester,
)

MAX_GENERATED = 200  # a year of daily meetings is already far more than any offering holds


class MeetingRejected(Refusal):
    """A meeting that cannot be written as asked; ``field`` names the form field at fault (None:
    the state of things forbids it: a conflict)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message, field, status=422 if field else 409)


# --- pure date logic -------------------------------------------------------------------------------


def semester_bounds(academic_year: int, semester: Semester | str) -> tuple[date, date]:
    """First and last day of a semester of an academic year (2026 = 2026-2027): S1 1 October →
    end of February, S2 1 February → 30 June, annual 1 October → 30 June."""
    semester = Semester(semester)
    following = academic_year + 1
    end_of_february = date(following, 3, 1) - timedelta(days=1)
    if semester == Semester.S1:
        return date(academic_year, 10, 1), end_of_february
    if semester == Semester.S2:
        return date(following, 2, 1), date(following, 6, 30)
    return date(academic_year, 10, 1), date(following, 6, 30)


@dataclass(frozen=True)
class Closure:
    first: date
    last: date
    label: str = ""


_CLOSURE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*\.\.\s*(\d{4}-\d{2}-\d{2}))?(?:\s+(.*))?$")


def parse_closures(text: str) -> tuple[list[Closure], list[str]]:
    """Dates to skip, one per line: ``2026-11-02`` or a range ``2026-12-21..2027-01-03``, each
    optionally followed by a label (``2026-12-21..2027-01-03 Christmas break``). Blank lines and
    lines starting with ``#`` are ignored. Returns the closures and one message per bad line."""
    closures: list[Closure] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _CLOSURE_RE.match(line)
        if not match:
            errors.append(
                str(
                    _l(
                        "Line %(line)d: “%(text)s” is not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD).",
                        line=number,
                        text=line[:60],
                    )
                )
            )
            continue
        try:
            first = date.fromisoformat(match.group(1))
            last = date.fromisoformat(match.group(2)) if match.group(2) else first
        except ValueError:
            errors.append(
                str(
                    _l(
                        "Line %(line)d: “%(text)s” holds a date that does not exist.",
                        line=number,
                        text=line[:60],
                    )
                )
            )
            continue
        if last < first:
            errors.append(str(_l("Line %(line)d: the range ends before it starts.", line=number)))
            continue
        closures.append(Closure(first, last, (match.group(3) or "").strip()))
    return closures, errors


def skip_reasons(
    first: date,
    last: date,
    closures: Iterable[Closure] = (),
    holidays: Mapping[date, str] | None = None,
) -> dict[date, str]:
    """The days between ``first`` and ``last`` to skip, each with why: a public holiday's name or
    the closure's label (listed closures win over holidays)."""
    reasons: dict[date, str] = {}
    for day, name in (holidays or {}).items():
        if first <= day <= last:
            reasons[day] = str(_l("Public holiday: %(name)s", name=name))
    for closure in closures:
        day = max(closure.first, first)
        while day <= min(closure.last, last):
            reasons[day] = (
                str(_l("Closure: %(label)s", label=closure.label)) if closure.label else str(_l("Listed closure"))
            )
            day += timedelta(days=1)
    return reasons


def recurring_dates(
    first: date, last: date, weekday: int, skip: Mapping[date, str] | None = None
) -> tuple[list[date], list[tuple[date, str]]]:
    """Every ``weekday`` (0 = Monday) from ``first`` to ``last`` inclusive, split into the days
    kept and the days skipped (with the reason found in ``skip``)."""
    skip = skip or {}
    if last < first:
        return [], []
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    kept: list[date] = []
    skipped: list[tuple[date, str]] = []
    while day <= last:
        if day in skip:
            skipped.append((day, skip[day]))
        else:
            kept.append(day)
        day += timedelta(weeks=1)
    return kept, skipped


def french_holidays(first: date, last: date) -> dict[date, str]:
    import holidays

    return dict(holidays.France(years=range(first.year, last.year + 1)).items())


# --- reads used by the writes ----------------------------------------------------------------------


def registered_users(offering: Offering) -> list:
    from lms.accounts.models import Learner, User

    return list(
        db.session.scalars(
            sa.select(User)
            .join(Learner, Learner.user_id == User.id)
            .join(Registration, Registration.learner_id == Learner.id)
            .where(
                Registration.offering_id == offering.id,
                Registration.status == RegistrationStatus.REGISTERED,
            )
            .order_by(User.id)
        )
    )


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


def _place(mode: MeetingMode, room: str | None, video_url: str | None) -> tuple[str | None, str | None]:
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
    if clashes(offering, starts_at, ends_at):
        raise MeetingRejected(_l("Another meeting of this offering is scheduled at that time."), "start")
    room, video_url = _place(data.mode, data.room, data.video_url)
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
    return meeting


def wall_clock(meeting: Meeting) -> tuple[datetime, datetime]:
    tz = meeting.offering.centre.timezone
    return local_time(meeting.starts_at, tz), local_time(meeting.ends_at, tz)


def describe(meeting: Meeting) -> str:
    """``2026-10-20 18:00–20:00 (Europe/Paris)``: language-neutral, for notifications."""
    start, end = wall_clock(meeting)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} ({meeting.offering.centre.timezone})"


def _touch(meeting: Meeting) -> None:
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = utcnow()


def _timetable_link() -> str | None:
    from flask import current_app, has_request_context, url_for

    endpoint = "timetable_learner.timetable"
    if has_request_context() and endpoint in current_app.view_functions:
        return url_for(endpoint)
    return None


def _notify(meeting: Meeting, kind: str, title, body) -> int:
    from lms.notifications.services import notify

    return notify(registered_users(meeting.offering), kind, title, body, link=_timetable_link())


def update_meeting(meeting: Meeting, data: MeetingInput) -> bool:
    """Change a scheduled meeting. Any change bumps ``sequence`` (calendar clients update it);
    a new date or time also notifies the registered learners. Returns whether it moved."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingRejected(_l("This meeting is cancelled: restore it before changing it."))
    check_place(data.mode, data.room, data.video_url)
    starts_at, ends_at = moments(meeting.offering, data.day, data.start, data.end)
    if clashes(meeting.offering, starts_at, ends_at, ignore_id=meeting.id):
        raise MeetingRejected(_l("Another meeting of this offering is scheduled at that time."), "start")
    room, video_url = _place(data.mode, data.room, data.video_url)
    moved = starts_at != _aware(meeting.starts_at) or ends_at != _aware(meeting.ends_at)
    changed = moved or (data.mode, room, video_url) != (
        meeting.mode,
        meeting.room,
        meeting.video_url,
    )
    if not changed:
        return False
    before = describe(meeting)
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.mode, meeting.room, meeting.video_url = data.mode, room, video_url
    _touch(meeting)
    db.session.flush()
    if moved:
        code = meeting.offering.unit.code
        _notify(
            meeting,
            "meeting_moved",
            _l("Meeting moved: %(unit)s", unit=code),
            _l(
                "The meeting of %(unit)s planned on %(old)s now takes place on %(new)s.",
                unit=code,
                old=before,
                new=describe(meeting),
            ),
        )
    return moved


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cancel_meeting(meeting: Meeting, notice: str) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingRejected(_l("This meeting is already cancelled."))
    notice = (notice or "").strip()
    if not notice:
        raise MeetingRejected(_l("Say why the meeting is cancelled: learners will read it."), "notice")
    meeting.status = MeetingStatus.CANCELLED
    meeting.notice = notice
    _touch(meeting)
    db.session.flush()
    code = meeting.offering.unit.code
    _notify(
        meeting,
        "meeting_cancelled",
        _l("Meeting cancelled: %(unit)s", unit=code),
        _l(
            "The meeting of %(unit)s on %(when)s is cancelled. %(notice)s",
            unit=code,
            when=describe(meeting),
            notice=notice,
        ),
    )


def restore_meeting(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.CANCELLED:
        raise MeetingRejected(_l("This meeting is not cancelled."))
    if clashes(
        meeting.offering,
        _aware(meeting.starts_at),
        _aware(meeting.ends_at),
        ignore_id=meeting.id,
    ):
        raise MeetingRejected(_l("Another meeting of this offering is now scheduled at that time."))
    meeting.status = MeetingStatus.SCHEDULED
    meeting.notice = None
    _touch(meeting)
    db.session.flush()
    code = meeting.offering.unit.code
    _notify(
        meeting,
        "meeting_restored",
        _l("Meeting restored: %(unit)s", unit=code),
        _l(
            "The meeting of %(unit)s on %(when)s takes place after all.",
            unit=code,
            when=describe(meeting),
        ),
    )


# --- the generator ---------------------------------------------------------------------------------


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
    holidays = french_holidays(data.first, data.last) if data.skip_holidays else {}
    days, skipped = recurring_dates(
        data.first,
        data.last,
        data.weekday,
        skip_reasons(data.first, data.last, data.closures, holidays),
    )
    plan = GenerationPlan(skipped=list(skipped))
    tz = offering.centre.timezone
    existing = [
        (_aware(start), _aware(end))
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
    room, video_url = _place(data.mode, data.room, data.video_url)
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
