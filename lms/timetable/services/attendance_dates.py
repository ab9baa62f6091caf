"""When attendance makes sense: a meeting's attendance is recorded once it has started, and a
video tool's participants report must be the report of that meeting's day (its join times).

Pure but for the clock: the times of a report are the wall clock of the meeting's centre, read
with dateutil whatever the tool's format (Zoom ``10/13/2025 06:00:00 PM``, Teams
``13/10/2025 18:00:23`` or ``10/13/25, 6:00:23 PM``, ISO ``2025-10-13 18:00:00``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from dateutil import parser as date_parser

from lms.core.errors import Refusal
from lms.core.i18n import lazy_gettext as _l
from lms.core.time import local_time, utcnow
from lms.timetable.models import Meeting
from lms.timetable.services.meetings import aware


class MeetingNotStarted(Refusal):
    """Attendance of a meeting that has not started yet: nothing is written."""

    status = 409

    def __init__(self, meeting: Meeting):
        super().__init__(not_started_message(meeting))
        self.meeting = meeting


def has_started(meeting: Meeting, now: datetime | None = None) -> bool:
    return aware(meeting.starts_at) <= (now or utcnow())


def check_started(meeting: Meeting, now: datetime | None = None) -> None:
    if not has_started(meeting, now):
        raise MeetingNotStarted(meeting)


def not_started_message(meeting: Meeting) -> str:
    """Why nothing can be recorded yet, and from when it can (the centre's wall clock)."""
    tz = meeting.offering.centre.timezone
    return str(
        _l(
            "This meeting has not started: attendance can be recorded from %(when)s (%(tz)s).",
            when=f"{local_time(aware(meeting.starts_at), tz):%Y-%m-%d %H:%M}",
            tz=tz,
        )
    )


def meeting_days(meeting: Meeting) -> tuple[date, date]:
    """The local days a meeting spans at its centre (one day, two if it runs past midnight)."""
    tz = meeting.offering.centre.timezone
    return local_time(aware(meeting.starts_at), tz).date(), local_time(aware(meeting.ends_at), tz).date()


# Participants-report headers of the time someone joined (compared after normalise_header).
JOIN_HEADERS = frozenset(
    {
        "join time",
        "join date",
        "joined at",
        "first join",
        "first join time",
        "first joined",
        "heure d'arrivée",
        "heure d’arrivée",
        "première arrivée",
        "heure de connexion",
        "date de connexion",
        "connexion",
    }
)


NO_DATE = datetime(1, 1, 1)  # what dateutil fills in when a cell holds a time only


def join_days(text: str) -> set[date] | None:
    """The days a join time can mean (day first or month first when ambiguous); None for a time
    without a date (nothing to check); empty if unreadable."""
    days: set[date] = set()
    for dayfirst in (False, True):
        try:
            moment = date_parser.parse(text, dayfirst=dayfirst, default=NO_DATE)
        except (ValueError, OverflowError):
            continue
        if moment.year == NO_DATE.year:
            return None
        days.add(moment.date())
    return days


def join_day_problems(filename: str, joins: Iterable[tuple[int, str]], days: tuple[date, date]) -> list[str]:
    """``FILE:LINE: problem`` for each join time (line, text) not on the meeting's ``days``."""
    first, last = days
    problems = []
    for line, text in joins:
        if not text:
            continue
        found = join_days(text)
        if found is None:
            continue
        if not found:
            problems.append(
                str(
                    _l(
                        "%(file)s:%(line)d: the join time “%(value)s” is not a date and time.",
                        file=filename,
                        line=line,
                        value=text[:40],
                    )
                )
            )
        elif not any(first <= day <= last for day in found):
            problems.append(
                str(
                    _l(
                        "%(file)s:%(line)d: joined at “%(value)s”, not on the day of the meeting (%(day)s): is this the report of another meeting?",
                        file=filename,
                        line=line,
                        value=text[:40],
                        day=first.isoformat(),
                    )
                )
            )
    return problems
