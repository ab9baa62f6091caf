"""Reads for grade sheets: the tutor's offerings, the rows of a sheet, who may see what, history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from lms.accounts.models import Learner, Role, User
from lms.catalog.directors import directs_unit
from lms.catalog.models import Unit
from lms.extensions import db
from lms.progress.audit.catalogue import DEFAULT_MARK as PASS_MARK  # the Cnam pass mark of a unit (/20)
from lms.results.models import Decision, Result, ResultHistory, ResultStatus
from lms.timetable.models import (
    Offering,
    Registration,
    RegistrationStatus,
    semester_order,
)
from lms.timetable.queries.tutors import is_tutor_of

# --- who may see what -----------------------------------------------------------------------------


def can_view_sheet(user: User, offering: Offering) -> bool:
    return user.has_role(Role.ADMIN) or is_tutor_of(user, offering) or directs_unit(user, offering.unit)


def can_edit_sheet(user: User, offering: Offering) -> bool:
    return user.has_role(Role.ADMIN) or is_tutor_of(user, offering)


def can_correct(user: User, offering: Offering) -> bool:
    return user.has_role(Role.ADMIN) or directs_unit(user, offering.unit)


# --- the sheet ------------------------------------------------------------------------------------


def _fails(result: Result) -> bool:
    if result.absent:
        return True
    if result.decision is not None:
        return result.decision == Decision.NOT_VALIDATED
    return result.grade is None or Decimal(result.grade) < PASS_MARK


def sheet_registrations(offering: Offering, session: int, only: Collection[int] | None = None) -> list[Registration]:
    """Registered learners of the sheet, by name. Session 2: only those absent or failing in session 1.
    ``only``: those of these registrations (a save of a few rows reads those rows, not the sheet)."""
    query = (
        sa.select(Registration)
        .join(Learner, Registration.learner_id == Learner.id)
        .join(User, Learner.user_id == User.id)
        .options(joinedload(Registration.learner).joinedload(Learner.user))
        .where(
            Registration.offering_id == offering.id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
        .order_by(User.name, Learner.learner_number)
    )
    if only is not None:
        query = query.where(Registration.id.in_(sorted(only)))
    registrations = db.session.scalars(query).all()
    if session == 1:
        return list(registrations)
    first = (
        {
            result.registration_id: result
            for result in db.session.scalars(
                sa.select(Result).where(
                    Result.registration_id.in_([r.id for r in registrations]),
                    Result.exam_session == 1,
                    Result.status == ResultStatus.PUBLISHED,
                )
            )
        }
        if registrations
        else {}
    )
    return [r for r in registrations if r.id in first and _fails(first[r.id])]


@dataclass(frozen=True)
class Attempt:
    academic_year: int
    session: int
    result: Result


@dataclass
class SheetRow:
    registration: Registration
    result: Result | None
    first_session: Result | None = None
    earlier: list[Attempt] = field(default_factory=list)

    @property
    def learner(self) -> Learner:
        return self.registration.learner


def sheet_rows(offering: Offering, session: int) -> list[SheetRow]:
    registrations = sheet_registrations(offering, session)
    if not registrations:
        return []
    ids = [registration.id for registration in registrations]
    results: dict[tuple[int, int], Result] = {
        (result.registration_id, result.exam_session): result
        for result in db.session.scalars(sa.select(Result).where(Result.registration_id.in_(ids)))
    }
    # Earlier attempts: published results of the same learners on the same unit, other offerings.
    earlier: dict[int, list[Attempt]] = defaultdict(list)
    for learner_id, year, result in db.session.execute(
        sa.select(Registration.learner_id, Offering.academic_year, Result)
        .join(Offering, Registration.offering_id == Offering.id)
        .join(Result, Result.registration_id == Registration.id)
        .where(
            Registration.learner_id.in_([r.learner_id for r in registrations]),
            Offering.unit_id == offering.unit_id,
            Offering.id != offering.id,
            Result.status == ResultStatus.PUBLISHED,
        )
        .order_by(Offering.academic_year, Result.exam_session)
    ):
        earlier[learner_id].append(Attempt(year, result.exam_session, result))
    return [
        SheetRow(
            registration,
            results.get((registration.id, session)),
            results.get((registration.id, 1)) if session == 2 else None,
            earlier.get(registration.learner_id, []),
        )
        for registration in registrations
    ]


def results_for(offering: Offering, session: int, registration_ids: list[int]) -> dict[int, Result]:
    if not registration_ids:
        return {}
    return {
        result.registration_id: result
        for result in db.session.scalars(
            sa.select(Result).where(
                Result.registration_id.in_(registration_ids),
                Result.exam_session == session,
            )
        )
    }


def result_history(result_id: int) -> list[ResultHistory]:
    return list(
        db.session.scalars(
            sa.select(ResultHistory)
            .options(joinedload(ResultHistory.changed_by))
            .where(ResultHistory.result_id == result_id)
            .order_by(ResultHistory.id)
        )
    )


# --- the learner ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnerResultLine:
    offering: Offering
    unit: Unit
    result: Result


def learner_published_results(learner_id: int) -> list[LearnerResultLine]:
    """Only published results: drafts stay with the tutor."""
    rows = db.session.execute(
        sa.select(Offering, Unit, Result)
        .join(Registration, Registration.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Result, Result.registration_id == Registration.id)
        .where(
            Registration.learner_id == learner_id,
            Result.status == ResultStatus.PUBLISHED,
        )
        .order_by(
            Offering.academic_year.desc(),
            semester_order(Offering.semester),
            Unit.code,
            Result.exam_session,
        )
    )
    return [LearnerResultLine(offering, unit, result) for offering, unit, result in rows]
