"""Demo results: published grades of past years (session 2 for most of those who failed), UA
decisions, their history, and credits granted by the commission (VES, VAE, exemptions...)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from lms.accounts.models import Learner, User
from lms.catalog.models import UnitKind
from lms.demo.context import DemoContext, morning_of
from lms.extensions import db
from lms.results.models import Credit, CreditSource, Decision, HistoryAction, Result, ResultHistory, ResultStatus
from lms.timetable.models import Offering, Registration

PASS_MARK = Decimal(10)


def grant_credits(
    demo: DemoContext, learner: Learner, code: str, queue: list[str], validated: set[str], start: int, is_demo: bool
) -> None:
    """One or two units of ``queue`` validated by a decision of the director of ``code``."""
    rng = demo.rng
    director = demo.director_of[code]
    candidates = [u for u in queue if demo.units[u].kind is UnitKind.UE][: 2 if is_demo else rng.choice((1, 2))]
    for position, unit_code in enumerate(candidates):
        source = CreditSource.VES if is_demo and position == 0 else rng.choice(list(CreditSource))
        db.session.add(
            Credit(
                learner=learner,
                unit=demo.units[unit_code],
                source=source,
                programme=demo.versions[code].programme if source is CreditSource.VES else None,
                granted_on=date(start, 10, rng.randint(1, 28)),
                reason="Décision de la commission pédagogique",
                decided_by_id=director.id,
            )
        )
        validated.add(unit_code)
        demo.summary.credits += 1


def grade(demo: DemoContext, registration: Registration, offering: Offering) -> bool:
    """Session 1 (and 2 when needed) for a past year; True when the unit is validated."""
    rng = demo.rng
    tutor = offering.tutors[0]
    if demo.units[offering.unit.code].kind is UnitKind.UA:
        validated = rng.random() < 0.92
        decision = Decision.VALIDATED if validated else Decision.NOT_VALIDATED
        add_result(demo, registration, 1, offering.exam1_on, tutor, decision=decision)
        return validated
    absent = rng.random() < 0.07
    mark = None if absent else round_grade(rng.gauss(12, 3.4))
    add_result(demo, registration, 1, offering.exam1_on, tutor, grade=mark, absent=absent)
    if mark is not None and mark >= PASS_MARK:
        return True
    if rng.random() < 0.75:
        absent2 = rng.random() < 0.1
        mark2 = None if absent2 else round_grade(rng.gauss(11.5, 3))
        add_result(demo, registration, 2, offering.exam2_on, tutor, grade=mark2, absent=absent2)
        return mark2 is not None and mark2 >= PASS_MARK
    return False


def add_result(
    demo: DemoContext,
    registration: Registration,
    session: int,
    on: date,
    tutor: User,
    *,
    grade: Decimal | None = None,
    absent: bool = False,
    decision: Decision | None = None,
) -> None:
    """A published, locked result and its history: created on exam day, published after the jury."""
    published_at = morning_of(on) + timedelta(days=14)
    result = Result(
        registration=registration,
        exam_session=session,
        grade=grade,
        absent=absent,
        decision=decision,
        status=ResultStatus.PUBLISHED,
        locked=True,
        decided_on=on,
        published_at=published_at,
        updated_at=published_at,
        updated_by_id=tutor.id,
        created_at=morning_of(on),
    )
    db.session.add(result)
    value = {
        "grade": str(grade) if grade is not None else None,
        "absent": absent,
        "decision": decision.value if decision else None,
    }
    for action, at, old in (
        (HistoryAction.CREATE, morning_of(on), None),
        (HistoryAction.PUBLISH, published_at, value),
    ):
        db.session.add(
            ResultHistory(
                result=result,
                action=action,
                changed_at=at,
                changed_by_id=tutor.id,
                old_value=old,
                new_value=value,
                source="demo",
            )
        )
    demo.summary.results += 1


def round_grade(value: float) -> Decimal:
    """A grade /20 rounded to the half point, as juries write them."""
    return Decimal(round(min(20.0, max(0.0, value)) * 2) / 2).quantize(Decimal("0.01"))
