"""Reads for tutors: whether a user teaches an offering, the offerings they teach with learner counts."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import User
from lms.catalog.models import Unit
from lms.extensions import db
from lms.results.models import Result, ResultStatus
from lms.timetable.models import (
    Centre,
    Offering,
    Registration,
    RegistrationStatus,
    Semester,
    offering_tutors,
    semester_order,
)
from lms.timetable.queries.counts import counted_registrations


def is_tutor_of(user: User, offering: Offering) -> bool:
    """Whether ``user`` teaches ``offering`` (one of its tutors)."""
    return bool(
        db.session.scalar(
            sa.select(sa.literal(1)).where(
                offering_tutors.c.offering_id == offering.id,
                offering_tutors.c.user_id == user.id,
            )
        )
    )


@dataclass(frozen=True)
class TutorOffering:
    offering: Offering
    unit: Unit
    centre: Centre
    registered: int
    waitlisted: int
    unpublished: int  # registered learners without a published session-1 result


def tutor_years(user_id: int) -> list[int]:
    """The academic years the tutor teaches in, latest first (one statement)."""
    return list(
        db.session.scalars(
            sa.select(Offering.academic_year)
            .distinct()
            .join(offering_tutors, offering_tutors.c.offering_id == Offering.id)
            .where(offering_tutors.c.user_id == user_id)
            .order_by(Offering.academic_year.desc())
        )
    )


def tutor_offerings(
    user_id: int,
    from_year: int | None = None,
    *,
    year: int | None = None,
    semester: Semester | str | None = None,
) -> list[TutorOffering]:
    """The offerings the tutor teaches with their counts (one statement whatever their number,
    the counts reading only these offerings' registrations):
    from ``from_year`` on, or of one academic ``year``, and of one ``semester`` if given."""
    published = (
        sa.select(sa.func.count(Result.id))
        .join(Registration, Result.registration_id == Registration.id)
        .where(
            Registration.offering_id == Offering.id,
            Result.exam_session == 1,
            Result.status == ResultStatus.PUBLISHED,
            Registration.status == RegistrationStatus.REGISTERED,
        )
        .correlate(Offering)
        .scalar_subquery()
    )
    query = (
        sa.select(Offering, Unit, Centre, *counted_registrations(Offering.id), published)
        .join(offering_tutors, offering_tutors.c.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Centre, Offering.centre_id == Centre.id)
        .where(offering_tutors.c.user_id == user_id)
        .order_by(Offering.academic_year.desc(), semester_order(Offering.semester), Unit.code)
    )
    if from_year is not None:
        query = query.where(Offering.academic_year >= from_year)
    if year is not None:
        query = query.where(Offering.academic_year == year)
    if semester:
        query = query.where(Offering.semester == Semester(semester))
    return [
        TutorOffering(offering, unit, centre, registered, waitlisted, max(registered - done, 0))
        for offering, unit, centre, registered, waitlisted, done in db.session.execute(query)
    ]
