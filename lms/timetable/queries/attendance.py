"""Reads for attendance: who may take it, an offering's meetings with their recorded counts, the
rows of one meeting's sheet, and hour summaries per offering and per learner.

Summaries issue a fixed number of statements whatever the number of learners or meetings: the
meetings, the registrations and the attendance rows are read once each and added up in Python by
:func:`summarise` (pure, unit-tested), so durations need no engine-specific date arithmetic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_decimal

from lms.accounts.models import Learner, Role, User
from lms.catalog.models import Unit
from lms.extensions import db
from lms.timetable.models import (
    Attendance,
    AttendanceStatus,
    Centre,
    Meeting,
    MeetingStatus,
    Offering,
    Registration,
    RegistrationStatus,
    semester_order,
)
from lms.timetable.queries.tutors import is_tutor_of

# --- who may take attendance --------------------------------------------------------------------------


def can_take_attendance(user: User, offering: Offering) -> bool:
    """The offering's tutors and administrators; nobody else."""
    return user.has_role(Role.ADMIN) or is_tutor_of(user, offering)


# --- hours -----------------------------------------------------------------------------------------------


def minutes_between(start: datetime, end: datetime) -> int:
    return max(int((end - start).total_seconds() // 60), 0)


def format_hours(minutes: int | None) -> str:
    """Minutes as hours in the reader's locale: 90 → "1,5 h" in French, "1.5 h" in English."""
    if minutes is None:
        return "—"
    return f"{format_decimal(round(minutes / 60, 2), format='#,##0.##')} h"


@dataclass
class Hours:
    """Minutes of the meetings held so far, by what was recorded for one registration."""

    scheduled: int = 0
    in_person: int = 0
    remote: int = 0
    excused: int = 0
    absent: int = 0

    @property
    def attended(self) -> int:
        return self.in_person + self.remote

    @property
    def unrecorded(self) -> int:
        return max(self.scheduled - self.in_person - self.remote - self.excused - self.absent, 0)

    def add(self, other: Hours) -> None:
        self.scheduled += other.scheduled
        self.in_person += other.in_person
        self.remote += other.remote
        self.excused += other.excused
        self.absent += other.absent


_FIELD = {
    AttendanceStatus.PRESENT_IN_PERSON: "in_person",
    AttendanceStatus.PRESENT_REMOTE: "remote",
    AttendanceStatus.EXCUSED: "excused",
    AttendanceStatus.ABSENT: "absent",
}


def summarise(
    registrations: Iterable[tuple[int, int]],
    meetings: Iterable[tuple[int, int, int]],
    marks: Iterable[tuple[int, int, str]],
) -> dict[int, Hours]:
    """Hours per registration.

    ``registrations``: (registration id, offering id); ``meetings``: (meeting id, offering id,
    minutes) of the meetings that count (held, not cancelled); ``marks``: (registration id,
    meeting id, status). Marks of other meetings are ignored.
    """
    minutes = {}
    by_offering: dict[int, int] = defaultdict(int)
    for meeting_id, offering_id, length in meetings:
        minutes[meeting_id] = (offering_id, length)
        by_offering[offering_id] += length
    offering_of = {}
    result: dict[int, Hours] = {}
    for registration_id, offering_id in registrations:
        offering_of[registration_id] = offering_id
        result[registration_id] = Hours(scheduled=by_offering.get(offering_id, 0))
    for registration_id, meeting_id, status in marks:
        hours = result.get(registration_id)
        meeting = minutes.get(meeting_id)
        if hours is None or meeting is None or meeting[0] != offering_of[registration_id]:
            continue
        name = _FIELD[AttendanceStatus(status)]
        setattr(hours, name, getattr(hours, name) + meeting[1])
    return result


def _held_meetings(offering_ids: list[int], now: datetime) -> list[tuple[int, int, int]]:
    if not offering_ids:
        return []
    rows = db.session.execute(
        sa.select(Meeting.id, Meeting.offering_id, Meeting.starts_at, Meeting.ends_at).where(
            Meeting.offering_id.in_(offering_ids),
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at <= now,
        )
    )
    return [(mid, oid, minutes_between(start, end)) for mid, oid, start, end in rows]


def _marks(registration_ids: list[int]) -> list[tuple[int, int, str]]:
    if not registration_ids:
        return []
    rows = db.session.execute(
        sa.select(Attendance.registration_id, Attendance.meeting_id, Attendance.status).where(
            Attendance.registration_id.in_(registration_ids)
        )
    )
    return [(registration_id, meeting_id, status) for registration_id, meeting_id, status in rows]


# --- an offering's meetings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingLine:
    meeting: Meeting
    recorded: int


def offering_meetings(offering: Offering) -> list[MeetingLine]:
    """The offering's meetings in time order, each with how many registered learners are recorded."""
    recorded = (
        sa.select(Attendance.meeting_id, sa.func.count(Attendance.id).label("recorded"))
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.status == RegistrationStatus.REGISTERED)
        .group_by(Attendance.meeting_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Meeting, sa.func.coalesce(recorded.c.recorded, 0))
        .outerjoin(recorded, recorded.c.meeting_id == Meeting.id)
        .where(Meeting.offering_id == offering.id)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [MeetingLine(meeting, count) for meeting, count in rows]


def registered_count(offering: Offering) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.offering_id == offering.id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
    )


# --- one meeting's sheet ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    registration: Registration
    learner: Learner
    user: User
    attendance: Attendance | None


def sheet_rows(meeting: Meeting) -> list[SheetRow]:
    """The learners registered on the meeting's offering, by name, with what is recorded for them."""
    rows = db.session.execute(
        sa.select(Registration, Learner, User, Attendance)
        .join(Learner, Learner.id == Registration.learner_id)
        .join(User, User.id == Learner.user_id)
        .outerjoin(
            Attendance,
            sa.and_(Attendance.registration_id == Registration.id, Attendance.meeting_id == meeting.id),
        )
        .where(
            Registration.offering_id == meeting.offering_id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
        .order_by(User.name, Learner.learner_number)
    )
    return [SheetRow(*row) for row in rows]


# --- summaries ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnerHours:
    registration: Registration
    learner: Learner
    user: User
    hours: Hours


def offering_summary(offering: Offering, now: datetime) -> list[LearnerHours]:
    """Each registered learner's hours over the offering's meetings held by ``now``: three statements."""
    rows = db.session.execute(
        sa.select(Registration, Learner, User)
        .join(Learner, Learner.id == Registration.learner_id)
        .join(User, User.id == Learner.user_id)
        .where(
            Registration.offering_id == offering.id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
        .order_by(User.name, Learner.learner_number)
    ).all()
    hours = summarise(
        [(registration.id, offering.id) for registration, _, _ in rows],
        _held_meetings([offering.id], now),
        _marks([registration.id for registration, _, _ in rows]),
    )
    return [LearnerHours(registration, learner, user, hours[registration.id]) for registration, learner, user in rows]


@dataclass(frozen=True)
class RegistrationHours:
    registration: Registration
    offering: Offering
    unit: Unit
    centre: Centre
    hours: Hours


@dataclass
class LearnerSummary:
    years: list[int]
    year: int | None
    lines: list[RegistrationHours] = field(default_factory=list)

    @property
    def total(self) -> Hours:
        total = Hours()
        for line in self.lines:
            total.add(line.hours)
        return total


def learner_summary(learner_id: int, year: int | None, now: datetime) -> LearnerSummary:
    """A learner's registrations of academic ``year`` (default: the latest they have) with their
    hours; ``years`` lists every year they have a registration in. Three statements."""
    rows = db.session.execute(
        sa.select(Registration, Offering, Unit, Centre)
        .join(Offering, Offering.id == Registration.offering_id)
        .join(Unit, Unit.id == Offering.unit_id)
        .join(Centre, Centre.id == Offering.centre_id)
        .where(
            Registration.learner_id == learner_id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
        .order_by(Offering.academic_year.desc(), semester_order(Offering.semester), Unit.code)
    ).all()
    years = sorted({offering.academic_year for _, offering, _, _ in rows}, reverse=True)
    if year not in years:
        year = years[0] if years else None
    chosen = [row for row in rows if row[1].academic_year == year]
    hours = summarise(
        [(registration.id, offering.id) for registration, offering, _, _ in chosen],
        _held_meetings([offering.id for _, offering, _, _ in chosen], now),
        _marks([registration.id for registration, _, _, _ in chosen]),
    )
    return LearnerSummary(
        years,
        year,
        [
            RegistrationHours(registration, offering, unit, centre, hours[registration.id])
            for registration, offering, unit, centre in chosen
        ],
    )
