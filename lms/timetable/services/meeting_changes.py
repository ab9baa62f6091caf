"""Changes to a scheduled meeting: edit (moving it notifies the registered learners), cancel,
restore. Every change bumps the iCalendar sequence. Writes flush, never commit."""

from __future__ import annotations

import sqlalchemy as sa

from lms.core.i18n import lazy_gettext as _l
from lms.core.time import utcnow
from lms.extensions import db
from lms.timetable.models import Meeting, MeetingStatus, Offering, Registration, RegistrationStatus
from lms.timetable.services.meetings import (
    MeetingInput,
    MeetingRejected,
    aware,
    check_period,
    check_place,
    clashes,
    describe,
    log_outside_period,
    moments,
    place,
)


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
    room, video_url = place(data.mode, data.room, data.video_url)
    moved = starts_at != aware(meeting.starts_at) or ends_at != aware(meeting.ends_at)
    outside = moved and check_period(meeting.offering, data)  # an unmoved meeting keeps its day
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
    if outside:
        log_outside_period(meeting, data, "moved")
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
        aware(meeting.starts_at),
        aware(meeting.ends_at),
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
