"""Reads for administrators' overviews."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import Learner, Role, UserRole
from lms.catalog.models import ProgrammeVersion, Unit
from lms.extensions import db
from lms.intakes.models import Application, ApplicationStatus, Enrolment, EnrolmentStatus, Intake
from lms.timetable.models import Offering


@dataclass(frozen=True)
class Overview:
    learners: int
    active_enrolments: int
    tutors: int
    units: int
    programme_versions: int
    offerings_this_year: int
    offerings: int
    intakes: int
    open_applications: int


def overview(current_year: int) -> Overview:
    """All counts in one statement of scalar subqueries."""

    def count(column, *where):
        return sa.select(sa.func.count(column)).where(*where).scalar_subquery()

    row = db.session.execute(
        sa.select(
            count(Learner.id),
            count(Enrolment.id, Enrolment.status == EnrolmentStatus.ACTIVE),
            count(UserRole.user_id, UserRole.role == Role.TUTOR),
            count(Unit.id),
            count(ProgrammeVersion.id),
            count(Offering.id, Offering.academic_year == current_year),
            count(Offering.id),
            count(Intake.id),
            count(Application.id, Application.status == ApplicationStatus.SUBMITTED),
        )
    ).one()
    return Overview(*row)
