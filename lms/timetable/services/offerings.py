"""Offerings: create and edit (a raised capacity promotes the waiting list), and the copy of a
whole academic year to the next. Flushes, never commits: the request commits once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from lms.catalog.models import Unit
from lms.core.errors import Refusal
from lms.core.i18n import lazy_gettext as _l
from lms.core.time import local_time, utc_moment
from lms.extensions import db
from lms.timetable.models import (
    Centre,
    Meeting,
    MeetingStatus,
    Modality,
    Offering,
    Registration,
    RegistrationStatus,
    Semester,
)
from lms.timetable.services.registrations import promote_from_waitlist
from lms.timetable.services.school_days import Closure, days_to_skip


class OfferingRejected(Refusal):
    """Input that cannot be saved; ``field`` names the form field at fault."""

    status = 422


@dataclass
class OfferingInput:
    unit_code: str
    academic_year: int
    semester: Semester
    modality: Modality
    centre_id: int
    capacity: int | None = None
    registration_opens_on: date | None = None
    registration_closes_on: date | None = None
    exam1_on: date | None = None
    exam2_on: date | None = None
    jury1_on: date | None = None
    jury2_on: date | None = None
    tutor_ids: list[int] = field(default_factory=list)


@dataclass
class SaveOutcome:
    offering: Offering
    promoted: list = field(default_factory=list)
    over_capacity: int = 0  # registered learners beyond a lowered capacity (nobody is dropped)


DATE_FIELDS = (
    "registration_opens_on",
    "registration_closes_on",
    "exam1_on",
    "exam2_on",
    "jury1_on",
    "jury2_on",
)


def registered_count(offering: Offering) -> int:
    if offering.id is None:
        return 0
    return (
        db.session.scalar(
            sa.select(sa.func.count(Registration.id)).where(
                Registration.offering_id == offering.id,
                Registration.status == RegistrationStatus.REGISTERED,
            )
        )
        or 0
    )


def find_duplicate(data: OfferingInput, unit_id: int, ignore_id: int | None = None) -> Offering | None:
    query = sa.select(Offering).where(
        Offering.unit_id == unit_id,
        Offering.academic_year == data.academic_year,
        Offering.semester == data.semester,
        Offering.modality == data.modality,
        Offering.centre_id == data.centre_id,
    )
    if ignore_id is not None:
        query = query.where(Offering.id != ignore_id)
    return db.session.scalar(query)


def _check(data: OfferingInput, ignore_id: int | None) -> tuple[Unit, Centre, list]:
    from lms.accounts.models import Role, User, UserRole

    unit = db.session.scalar(sa.select(Unit).where(Unit.code == data.unit_code.strip().upper()))
    if unit is None:
        raise OfferingRejected(
            _l("No unit has the code %(code)s.", code=data.unit_code.strip()),
            "unit_code",
        )
    centre = db.session.get(Centre, data.centre_id)
    if centre is None:
        raise OfferingRejected(_l("Choose a centre."), "centre_id")
    if not 1990 <= data.academic_year <= 2100:
        raise OfferingRejected(_l("The academic year must be between 1990 and 2100."), "academic_year")
    if data.capacity is not None and data.capacity <= 0:
        raise OfferingRejected(
            _l("The capacity must be a positive number, or empty for no limit."),
            "capacity",
        )
    if (
        data.registration_opens_on
        and data.registration_closes_on
        and data.registration_closes_on < data.registration_opens_on
    ):
        raise OfferingRejected(
            _l("Registrations must close on or after the day they open."),
            "registration_closes_on",
        )
    for name in DATE_FIELDS:
        day = getattr(data, name)
        if day is not None and not 1990 <= day.year <= 2101:
            raise OfferingRejected(_l("Choose a date between 1990 and 2101."), name)
    _check_exam_dates(data)
    tutors = []
    if data.tutor_ids:
        tutors = list(
            db.session.scalars(
                sa.select(User)
                .join(UserRole, UserRole.user_id == User.id)
                .where(User.id.in_(data.tutor_ids), UserRole.role == Role.TUTOR)
            )
        )
        if len(tutors) != len(set(data.tutor_ids)):
            raise OfferingRejected(_l("Only tutors can teach an offering."), "tutor_ids")
    if find_duplicate(data, unit.id, ignore_id) is not None:
        raise OfferingRejected(
            _l(
                "%(code)s is already offered in that year, semester, modality and centre.",
                code=unit.code,
            ),
            "unit_code",
        )
    return unit, centre, tutors


def _check_exam_dates(data: OfferingInput) -> None:
    """A jury sits on or after its exam; the second session comes after the first."""
    for exam, jury in (("exam1_on", "jury1_on"), ("exam2_on", "jury2_on")):
        exam_on, jury_on = getattr(data, exam), getattr(data, jury)
        if exam_on and jury_on and jury_on < exam_on:
            raise OfferingRejected(_l("The jury cannot sit before the exam of its session."), jury)
    if data.exam1_on and data.exam2_on and data.exam2_on <= data.exam1_on:
        raise OfferingRejected(_l("The second exam session must come after the first."), "exam2_on")
    if data.jury1_on and data.exam2_on and data.exam2_on < data.jury1_on:
        raise OfferingRejected(_l("The second exam session comes after the jury of the first one."), "exam2_on")


def save_offering(offering: Offering | None, data: OfferingInput) -> SaveOutcome:
    """Create (``offering`` None) or update an offering. Raising the capacity (or removing it)
    promotes waitlisted learners; lowering it below the registered count drops nobody."""
    unit, centre, tutors = _check(data, offering.id if offering else None)
    creating = offering is None
    if creating:
        offering = Offering()
        db.session.add(offering)
    old_capacity = None if creating else offering.capacity
    offering.unit = unit
    offering.centre = centre
    offering.academic_year = data.academic_year
    offering.semester = data.semester
    offering.modality = data.modality
    offering.capacity = data.capacity
    for name in DATE_FIELDS:
        setattr(offering, name, getattr(data, name))
    offering.tutors = tutors
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as error:  # a concurrent twin won the race
        raise OfferingRejected(
            _l(
                "%(code)s is already offered in that year, semester, modality and centre.",
                code=unit.code,
            ),
            "unit_code",
        ) from error
    outcome = SaveOutcome(offering)
    raised = not creating and old_capacity is not None and (data.capacity is None or data.capacity > old_capacity)
    if raised:
        outcome.promoted = promote(offering)
    if data.capacity is not None:
        outcome.over_capacity = max(registered_count(offering) - data.capacity, 0)
    return outcome


def promote(offering: Offering) -> list:
    """Let waitlisted learners in, oldest first (``services.registrations`` owns the rule)."""
    return promote_from_waitlist(offering)


# --- copying a year --------------------------------------------------------------------------------


ONE_YEAR = relativedelta(years=1)  # the same day a year later; 29 February becomes 28 February
MEETING_SHIFT = timedelta(weeks=52)  # same weekday, 364 days later


@dataclass(frozen=True)
class MeetingCopy:
    """A scheduled meeting of the year copied, and its moments 52 weeks later (UTC)."""

    source: Meeting
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class SkippedDay:
    """A meeting not copied: 52 weeks later it falls on a public holiday or a listed closure."""

    unit: str
    day: date  # the day it would fall on, at its centre
    reason: str


@dataclass
class CopyPlan:
    year: int
    create: list[Offering] = field(default_factory=list)
    skipped: list[Offering] = field(default_factory=list)  # already offered in the next year
    meetings: list[MeetingCopy] = field(default_factory=list)  # of the offerings to create
    skipped_days: list[SkippedDay] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.create


def _key(offering: Offering) -> tuple:
    return (offering.unit_id, offering.semester, offering.modality, offering.centre_id)


def plan_copy(year: int, closures: Iterable[Closure] = ()) -> CopyPlan:
    """What copying ``year`` to ``year + 1`` would do, three statements whatever the size: the
    offerings to create, and their scheduled meetings 52 weeks later except those falling on a
    French public holiday or one of ``closures`` (skipped like the recurring generator does)."""
    sources = list(
        db.session.scalars(
            sa.select(Offering)
            .where(Offering.academic_year == year)
            .options(
                sa.orm.joinedload(Offering.unit),
                sa.orm.joinedload(Offering.centre),
                sa.orm.selectinload(Offering.tutors),
            )
            .order_by(Offering.id)
        )
    )
    existing = {
        _key(offering) for offering in db.session.scalars(sa.select(Offering).where(Offering.academic_year == year + 1))
    }
    plan = CopyPlan(year)
    for source in sources:
        (plan.skipped if _key(source) in existing else plan.create).append(source)
    if not plan.create:
        return plan
    offerings = {offering.id: offering for offering in plan.create}
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.offering_id.in_(list(offerings)), Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    shifted: list[tuple[MeetingCopy, date]] = []
    for meeting in meetings:
        tz = offerings[meeting.offering_id].centre.timezone
        copy = MeetingCopy(
            meeting, shift_meeting_moment(meeting.starts_at, tz), shift_meeting_moment(meeting.ends_at, tz)
        )
        shifted.append((copy, local_time(copy.starts_at, tz).date()))
    if not shifted:
        return plan
    skip = days_to_skip(min(day for _, day in shifted), max(day for _, day in shifted), closures)
    for copy, day in shifted:
        if day in skip:
            unit = offerings[copy.source.offering_id].unit.code
            plan.skipped_days.append(SkippedDay(unit, day, skip[day]))
        else:
            plan.meetings.append(copy)
    return plan


def shift_meeting_moment(moment, timezone: str):
    """The same wall-clock time 52 weeks later at the centre (daylight saving kept right)."""
    local = local_time(moment, timezone) + MEETING_SHIFT
    return utc_moment(local.date(), local.time().replace(tzinfo=None), timezone)


def copy_year(year: int, closures: Iterable[Closure] = ()) -> CopyPlan:
    """Copy every offering of ``year`` missing from ``year + 1``: unit, semester, modality,
    centre, capacity, tutors, every date one year later, scheduled meetings 52 weeks later but
    for those landing on a public holiday or a listed closure (see :func:`plan_copy`).
    Registrations and results are never copied. All or nothing (the caller's transaction)."""
    if not 1990 <= year < 2100:
        raise OfferingRejected(_l("The academic year must be between 1990 and 2099."), "year")
    plan = plan_copy(year, closures)
    if not plan.create:
        return plan
    copies: dict[int, Offering] = {}
    for source in plan.create:
        copy = Offering(
            unit_id=source.unit_id,
            academic_year=year + 1,
            semester=source.semester,
            modality=source.modality,
            centre_id=source.centre_id,
            capacity=source.capacity,
            **{name: None if (day := getattr(source, name)) is None else day + ONE_YEAR for name in DATE_FIELDS},
        )
        copy.tutors = list(source.tutors)
        copies[source.id] = copy
    db.session.add_all(copies.values())
    db.session.add_all(
        Meeting(
            offering=copies[meeting.source.offering_id],
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            mode=meeting.source.mode,
            room=meeting.source.room,
            video_url=meeting.source.video_url,
        )
        for meeting in plan.meetings
    )
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as error:  # another copy ran at the same time
        raise OfferingRejected(
            _l("Some of these offerings were created meanwhile: preview the copy again."),
            "year",
        ) from error
    return plan
