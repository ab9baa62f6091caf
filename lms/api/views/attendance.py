"""A meeting's attendance sheet: read it and record it, for the offering's tutors and
administrators (403 for anyone else), with the tutor's sheet service (its rules and messages).

The page has no version on its rows, so the API uses HTTP's optimistic locking: the sheet's
``ETag`` comes with each read, a write needs ``If-Match`` (428 without it, 412 when the sheet
changed since), checked under the offering's write lock so two writers cannot both pass it."""

from __future__ import annotations

import hashlib

from flask import abort, jsonify, request
from flask_login import current_user
from flask_openapi3 import Tag
from sqlalchemy.orm import joinedload

from lms.accounts.models import Role
from lms.api.schemas.attendance import (
    AttendanceIn,
    AttendanceRowOut,
    AttendanceSaved,
    AttendanceSheetOut,
    MeetingPath,
)
from lms.api.schemas.common import Problem
from lms.api.views import bp
from lms.core.access import deny_unless, roles_required
from lms.core.i18n import gettext as _
from lms.core.problems import problem
from lms.core.time import local_time
from lms.extensions import db
from lms.timetable.models import AttendanceStatus, Meeting, MeetingStatus, Offering
from lms.timetable.queries import attendance as queries
from lms.timetable.services import attendance as services
from lms.timetable.services import attendance_dates
from lms.timetable.services.meetings import aware
from lms.timetable.services.registrations import lock_offering

TAG = Tag(name="attendance", description="Attendance sheets of meetings: read and record.")


def _meeting(meeting_id: int) -> Meeting:
    meeting = db.session.get(
        Meeting,
        meeting_id,
        options=[
            joinedload(Meeting.offering).joinedload(Offering.unit),
            joinedload(Meeting.offering).joinedload(Offering.centre),
        ],
    )
    if meeting is None:
        abort(404)
    deny_unless(queries.can_take_attendance(current_user, meeting.offering))
    return meeting


def _cancelled(meeting: Meeting):
    """The page's 409 for a cancelled meeting, which has no sheet; None for any other."""
    if meeting.status != MeetingStatus.CANCELLED:
        return None
    timezone = meeting.offering.centre.timezone
    when = f"{local_time(aware(meeting.starts_at), timezone):%Y-%m-%d %H:%M}"
    return problem(
        409, _("The meeting of %(when)s was cancelled: it has no attendance sheet.", when=when), _("Conflict")
    )


def sheet_etag(meeting: Meeting, rows) -> str:
    """Changes whenever a row of the sheet changes, a learner joins or leaves it, or the meeting moves."""
    parts = [f"{meeting.starts_at.isoformat()}:{meeting.status}"]
    for row in rows:
        mark = row.attendance
        parts.append(
            f"{row.registration.id}:{mark.id}:{mark.status}:{mark.minutes_connected}"
            if mark
            else f"{row.registration.id}:-"
        )
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:32]


@bp.get(
    "/meetings/<int:meeting_id>/attendance",
    tags=[TAG],
    responses={200: AttendanceSheetOut, 404: Problem, 409: Problem},
    summary="A meeting's attendance sheet (its ETag in the ETag header)",
)
@roles_required(Role.TUTOR, Role.ADMIN)
def attendance_sheet(path: MeetingPath):
    meeting = _meeting(path.meeting_id)
    if (refused := _cancelled(meeting)) is not None:
        return refused
    rows = queries.sheet_rows(meeting)
    timezone = meeting.offering.centre.timezone
    answer = jsonify(
        AttendanceSheetOut(
            meeting_id=meeting.id,
            offering_id=meeting.offering_id,
            unit=meeting.offering.unit.code,
            starts_at=local_time(aware(meeting.starts_at), timezone),
            ends_at=local_time(aware(meeting.ends_at), timezone),
            timezone=timezone,
            mode=meeting.mode.value,
            started=attendance_dates.has_started(meeting),
            all_present=services.all_present_status(meeting).value,
            rows=[
                AttendanceRowOut(
                    registration_id=row.registration.id,
                    learner_number=row.learner.learner_number,
                    name=row.user.name,
                    status=row.attendance.status.value if row.attendance else None,
                    minutes_connected=row.attendance.minutes_connected if row.attendance else None,
                    recorded_at=row.attendance.recorded_at if row.attendance else None,
                )
                for row in rows
            ],
        ).model_dump(mode="json")
    )
    answer.set_etag(sheet_etag(meeting, rows))
    return answer


@bp.patch(
    "/meetings/<int:meeting_id>/attendance",
    tags=[TAG],
    responses={200: AttendanceSaved, 404: Problem, 409: Problem, 412: Problem, 422: Problem, 428: Problem},
    summary="Record attendance of learners on the sheet (all or nothing; If-Match required)",
)
@roles_required(Role.TUTOR, Role.ADMIN)
def attendance_record(path: MeetingPath, body: AttendanceIn):
    meeting = _meeting(path.meeting_id)
    if (refused := _cancelled(meeting)) is not None:
        return refused
    if not request.if_match:
        return problem(428, _("Send the sheet's ETag in If-Match (read the sheet first)."), _("Precondition required"))
    lock_offering(meeting.offering)  # the check below and the write are one, for every writer
    rows = queries.sheet_rows(meeting)
    if not request.if_match.star_tag and not request.if_match.contains(sheet_etag(meeting, rows)):
        return problem(412, _("The sheet changed since you read it: read it again."), _("Precondition failed"))
    on_sheet = {row.registration.id for row in rows}
    unknown = sorted({row.registration_id for row in body.rows} - on_sheet)
    if unknown:
        message = _("These registrations are not on the sheet of this meeting: nothing was saved.")
        errors = [{"registration_id": key, "message": message} for key in unknown]
        return problem(422, message, _("Invalid data"), errors=errors)
    chosen = {row.registration_id: AttendanceStatus(row.status) for row in body.rows}
    try:
        written = services.save_attendance(meeting, rows, chosen, current_user)
    except services.AttendanceConflict:
        return problem(
            409,
            _(
                "Someone else recorded this meeting at the same time: nothing was saved. Check the sheet and save again."
            ),
            _("Conflict"),
        )
    db.session.flush()
    answer = jsonify(AttendanceSaved(saved=written).model_dump())
    answer.set_etag(sheet_etag(meeting, queries.sheet_rows(meeting)))
    return answer
