"""The learner's history for the timeline and the transcript: every unit registration with its
best *published* result, every UA decision and every credit not revoked, placed in an academic
year and a semester. Three statements whatever the length of the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import Learner
from lms.catalog.models import Programme, Unit
from lms.core.time import academic_year
from lms.extensions import db
from lms.progress.audit.catalogue import DEFAULT_MARK as PASS_MARK  # the Cnam pass mark of a unit (/20)
from lms.results.models import ActivityDecision, Credit, Decision, Result, ResultStatus
from lms.timetable.models import (
    Offering,
    Registration,
    RegistrationStatus,
    semester_order,
)


@dataclass(frozen=True)
class Attempt:
    """One line of the history.

    ``source``: ``result`` (a registration, graded or decided in a grade sheet), ``decision`` (a UA
    decided by a director on evidence) or ``credit`` (VES, VAE, dispense, transfer).
    ``status``: ``validated``, ``failed``, ``in_progress`` (no published result yet) or ``credit``.
    ``grade``, ``session`` and ``on`` are those of the best published attempt (the validating one
    when there is one).
    """

    code: str
    title: str
    ects: Decimal
    kind: str
    academic_year: int
    semester: str
    source: str
    status: str
    grade: Decimal | None = None
    decision: str | None = None
    absent: bool = False
    session: int | None = None
    on: date | None = None
    modality: str | None = None
    credit_source: str | None = None
    programme: str | None = None

    @property
    def validated(self) -> bool:
        return self.status in ("validated", "credit")


def semester_of(day: date) -> str:
    """The semester a decision taken on ``day`` belongs to: S1 from September to January."""
    return "S1" if day.month >= 9 or day.month == 1 else "S2"


def _validates(grade: Decimal | None, decision: object) -> bool:
    return decision == Decision.VALIDATED or (grade is not None and grade >= PASS_MARK)


def _best(results: list[tuple]) -> tuple | None:
    """The best of a registration's published results: a validating one first, then the highest
    grade, then the latest session. Each is (grade, absent, decision, session, decided_on)."""
    if not results:
        return None
    return max(
        results,
        key=lambda r: (_validates(r[0], r[2]), r[0] if r[0] is not None else Decimal(-1), r[3] or 0),
    )


def registrations(learner: Learner) -> list[Attempt]:
    """Every registration (not withdrawn nor waitlisted) with its best published result."""
    query = (
        sa.select(
            Registration.id,
            Unit.code,
            Unit.title,
            Unit.ects,
            Unit.kind,
            Offering.academic_year,
            Offering.semester,
            Offering.modality,
            Result.grade,
            Result.absent,
            Result.decision,
            Result.exam_session,
            Result.decided_on,
        )
        .select_from(Registration)
        .join(Offering, Registration.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .outerjoin(Result, sa.and_(Result.registration_id == Registration.id, Result.status == ResultStatus.PUBLISHED))
        .where(Registration.learner_id == learner.id, Registration.status == RegistrationStatus.REGISTERED)
        .order_by(
            Offering.academic_year, semester_order(Offering.semester), Unit.code, Registration.id, Result.exam_session
        )
    )
    grouped: dict[int, tuple[tuple, list[tuple]]] = {}
    for row in db.session.execute(query):
        registration_id, *head, grade, absent, decision, session, decided_on = row
        entry = grouped.setdefault(registration_id, (tuple(head), []))
        if session is not None:
            entry[1].append((grade, absent, decision, session, decided_on))
    attempts = []
    for (code, title, ects, kind, year, semester, modality), results in grouped.values():
        best = _best(results)
        if best is None:
            status = "in_progress"
        else:
            status = "validated" if _validates(best[0], best[2]) else "failed"
        grade, absent, decision, session, decided_on = best or (None, False, None, None, None)
        attempts.append(
            Attempt(
                code=code,
                title=title,
                ects=ects,
                kind=kind.value,
                academic_year=year,
                semester=semester.value,
                source="result",
                status=status,
                grade=grade,
                decision=decision.value if decision else None,
                absent=bool(absent),
                session=session,
                on=decided_on,
                modality=modality.value,
            )
        )
    return attempts


def activity_decisions(learner: Learner) -> list[Attempt]:
    """UA decisions taken on evidence by a director, not revoked."""
    query = (
        sa.select(
            Unit.code,
            Unit.title,
            Unit.ects,
            Unit.kind,
            ActivityDecision.decision,
            ActivityDecision.grade,
            ActivityDecision.decided_on,
        )
        .join(Unit, ActivityDecision.unit_id == Unit.id)
        .where(ActivityDecision.learner_id == learner.id, ActivityDecision.revoked_at.is_(None))
        .order_by(ActivityDecision.decided_on, Unit.code)
    )
    return [
        Attempt(
            code=code,
            title=title,
            ects=ects,
            kind=kind.value,
            academic_year=academic_year(on),
            semester=semester_of(on),
            source="decision",
            status="validated" if decision == Decision.VALIDATED else "failed",
            grade=grade,
            decision=decision.value,
            on=on,
        )
        for code, title, ects, kind, decision, grade, on in db.session.execute(query)
    ]


def credits(learner: Learner) -> list[Attempt]:
    """Credits granted without an exam, not revoked (a VES credit names its programme)."""
    query = (
        sa.select(Unit.code, Unit.title, Unit.ects, Unit.kind, Credit.source, Programme.code, Credit.granted_on)
        .select_from(Credit)
        .join(Unit, Credit.unit_id == Unit.id)
        .outerjoin(Programme, Credit.programme_id == Programme.id)
        .where(Credit.learner_id == learner.id, Credit.revoked_at.is_(None))
        .order_by(Credit.granted_on, Unit.code)
    )
    return [
        Attempt(
            code=code,
            title=title,
            ects=ects,
            kind=kind.value,
            academic_year=academic_year(on),
            semester=semester_of(on),
            source="credit",
            status="credit",
            on=on,
            credit_source=source.value,
            programme=programme,
        )
        for code, title, ects, kind, source, programme, on in db.session.execute(query)
    ]


def learner_history(learner: Learner) -> list[Attempt]:
    """The whole history, oldest first (by year, semester, unit): three statements."""
    order = {"S1": 0, "S2": 1, "A": 2}
    attempts = registrations(learner) + activity_decisions(learner) + credits(learner)
    return sorted(attempts, key=lambda a: (a.academic_year, order.get(a.semester, 3), a.code, a.source))


def validated_units(history: list[Attempt]) -> list[Attempt]:
    """One line per unit validated by a result or a UA decision (the best grade when several),
    in the order of validation. Credits are listed apart."""
    best: dict[str, Attempt] = {}
    for attempt in history:
        if attempt.status != "validated":
            continue
        current = best.get(attempt.code)
        if current is None or (attempt.grade or Decimal(-1)) > (current.grade or Decimal(-1)):
            best[attempt.code] = attempt
    return sorted(best.values(), key=lambda a: (a.academic_year, a.on or date.min, a.code))


__all__ = ["PASS_MARK", "Attempt", "learner_history", "semester_of", "validated_units"]
