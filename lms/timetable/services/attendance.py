"""Attendance writes: the sheet of one meeting, all or nothing, with its history.

The participants report of the video tool is read and matched in :mod:`.participants`.
Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.errors import Refusal
from lms.core.time import utcnow
from lms.extensions import db
from lms.timetable.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingMode,
    MeetingStatus,
)
from lms.timetable.queries.attendance import SheetRow
from lms.timetable.services.attendance_dates import check_started


class MeetingCancelled(Refusal):
    """A cancelled meeting has no attendance sheet."""

    status = 409


class AttendanceConflict(Refusal):
    """Someone else recorded the same learner at the same time: nothing was written."""

    status = 409


# --- the sheet --------------------------------------------------------------------------------------


def all_present_status(meeting: Meeting) -> AttendanceStatus:
    """What "everyone present" means for a meeting: in person unless it is remote only."""
    if meeting.mode == MeetingMode.REMOTE:
        return AttendanceStatus.PRESENT_REMOTE
    return AttendanceStatus.PRESENT_IN_PERSON


def read_statuses(formdata: Mapping[str, str], registration_ids: Iterable[int]) -> dict[int, AttendanceStatus]:
    """The status chosen for each row (``status-<registration id>``); rows left blank or with an
    unknown value are skipped, so what was recorded before stays."""
    chosen = {}
    for registration_id in registration_ids:
        value = formdata.get(f"status-{registration_id}") or ""
        try:
            chosen[registration_id] = AttendanceStatus(value)
        except ValueError:
            continue
    return chosen


def save_attendance(
    meeting: Meeting,
    rows: list[SheetRow],
    statuses: Mapping[int, AttendanceStatus],
    user: User,
    minutes: Mapping[int, int | None] | None = None,
) -> int:
    """Record ``statuses`` (by registration id) for the sheet ``rows`` of ``meeting``; with
    ``minutes``, also the minutes connected. Registrations not on the sheet are ignored. How many
    rows were written (new or changed). A meeting not started yet raises ``MeetingNotStarted``."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingCancelled
    now = utcnow()
    check_started(meeting, now)
    written = 0
    for row in rows:
        status = statuses.get(row.registration.id)
        if status is None:
            continue
        connected = (minutes or {}).get(row.registration.id) if minutes is not None else None
        attendance = row.attendance
        if attendance is None:
            attendance = Attendance(registration_id=row.registration.id, meeting_id=meeting.id)
            db.session.add(attendance)
        elif attendance.status == status and (minutes is None or attendance.minutes_connected == connected):
            continue
        attendance.status = status
        if minutes is not None:
            attendance.minutes_connected = connected
        attendance.recorded_at = now
        attendance.recorded_by_id = user.id
        written += 1
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as error:
        raise AttendanceConflict from error
    return written


# --- the participants report ------------------------------------------------------------------------
