"""Reads for the learner's home: their programmes and their units with published results."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm

from lms.accounts.models import Learner
from lms.catalog.models import Programme, ProgrammeVersion, Unit
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.models import ProgressSnapshot
from lms.results.models import Credit, Result, ResultStatus
from lms.timetable.models import Offering, Registration, RegistrationStatus, semester_order


@dataclass(frozen=True)
class UnitLine:
    code: str
    title: str
    ects: Decimal
    academic_year: int
    semester: str
    modality: str
    registration_status: str
    best_grade: Decimal | None
    decision: str | None
    absent: bool
    sessions: int


def learner_programmes(learner: Learner) -> list[tuple[Enrolment, ProgrammeVersion, ProgressSnapshot | None]]:
    query = (
        sa.select(Enrolment, ProgrammeVersion, ProgressSnapshot)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .outerjoin(ProgressSnapshot, ProgressSnapshot.enrolment_id == Enrolment.id)
        .options(sa.orm.contains_eager(ProgrammeVersion.programme))
        .where(Enrolment.learner_id == learner.id)
        .order_by(Enrolment.enrolled_on.desc(), Programme.code)
    )
    return [tuple(row) for row in db.session.execute(query)]


def learner_units(learner: Learner) -> list[UnitLine]:
    """Every registration of the learner, newest first, with the best *published* result."""
    published = (
        sa.select(
            Result.registration_id,
            sa.func.max(Result.grade).label("best_grade"),
            sa.func.max(Result.decision).label("decision"),
            sa.func.min(sa.case((Result.absent, 1), else_=0)).label("absent"),
            sa.func.count(Result.id).label("sessions"),
        )
        .where(Result.status == ResultStatus.PUBLISHED)
        .group_by(Result.registration_id)
        .subquery()
    )
    query = (
        sa.select(
            Unit,
            Offering,
            Registration,
            published.c.best_grade,
            published.c.decision,
            published.c.absent,
            published.c.sessions,
        )
        .select_from(Registration)
        .join(Offering, Registration.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .outerjoin(published, published.c.registration_id == Registration.id)
        .where(Registration.learner_id == learner.id, Registration.status != RegistrationStatus.WITHDRAWN)
        .order_by(Offering.academic_year.desc(), semester_order(Offering.semester), Unit.code)
    )
    lines = []
    for unit, offering, registration, best_grade, decision, absent, sessions in db.session.execute(query):
        lines.append(
            UnitLine(
                code=unit.code,
                title=unit.title,
                ects=unit.ects,
                academic_year=offering.academic_year,
                semester=offering.semester.value,
                modality=offering.modality.value,
                registration_status=registration.status.value,
                best_grade=best_grade,
                decision=decision,
                absent=bool(absent),
                sessions=sessions or 0,
            )
        )
    return lines


def learner_credits(learner: Learner) -> list[tuple[Credit, Unit]]:
    query = (
        sa.select(Credit, Unit)
        .join(Unit, Credit.unit_id == Unit.id)
        .where(Credit.learner_id == learner.id, Credit.revoked_at.is_(None))
        .order_by(Credit.granted_on.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]
