"""Learner records from the database, in the engine's terms (formats.md section 2): five statements
for any number of learners, so re-auditing a batch of 500 costs what re-auditing one does."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm

from lms.accounts.models import Learner
from lms.catalog.models import Programme, Unit
from lms.core.time import academic_year
from lms.extensions import db
from lms.progress.audit.records import CreditEntry, ExceptionEntry, LearnerRecord, ResultEntry
from lms.results.models import ActivityDecision, Credit, Decision, Result, ResultStatus, Substitution
from lms.timetable.models import Offering, Registration, RegistrationStatus

# Made once: an alias builds its column collection when first used (milliseconds a call at 200,000
# learners' worth of mapped classes), and the statement's cache key is the same for every call.
_SUBSTITUTE = sa.orm.aliased(Unit, name="substitute_unit")
_REPLACED = sa.orm.aliased(Unit, name="replaced_unit")


def learner_record(learner: Learner, today: date | None = None) -> LearnerRecord:
    """One learner's record (see :func:`learner_records`)."""
    return learner_records([learner], today)[learner.id]


def learner_records(learners: Iterable[Learner], today: date | None = None) -> dict[int, LearnerRecord]:
    """Each learner's record, by learner id, in five statements whatever their number:

    - every *published* result: its grade, ``absent`` as status absent, a UA decision
      validated / not_validated as status validated / failed, ``decided_on`` and the exam session;
    - UA decisions taken on evidence by a director, not revoked, the same way;
    - registrations of the current academic year (of ``today``) still registered and without a
      published result: status registered;
    - credits and substitutions not revoked (each substitution names its programme, and the ECTS
      it counts when its decision says).
    """
    learners = {learner.id: learner for learner in learners}
    if not learners:
        return {}
    ids = sorted(learners)
    year = academic_year(today or date.today())
    results: dict[int, list[ResultEntry]] = defaultdict(list)
    published = (
        sa.select(
            Registration.learner_id,
            Unit.code,
            Result.grade,
            Result.absent,
            Result.decision,
            Result.decided_on,
            Result.exam_session,
        )
        .select_from(Result)
        .join(Registration, Result.registration_id == Registration.id)
        .join(Offering, Registration.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .where(Registration.learner_id.in_(ids), Result.status == ResultStatus.PUBLISHED)
        .order_by(Registration.learner_id, Unit.code, Result.decided_on, Result.exam_session, Result.id)
    )
    for learner_id, code, grade, absent, decision, decided_on, session in db.session.execute(published):
        if absent:
            status = "absent"
        elif decision is not None:
            status = "validated" if decision == Decision.VALIDATED else "failed"
        else:
            status = None
        if grade is None and status is None:
            continue  # a published row carrying nothing (should not happen)
        results[learner_id].append(ResultEntry(unit=code, grade=grade, status=status, date=decided_on, session=session))

    decisions = (
        sa.select(
            ActivityDecision.learner_id,
            Unit.code,
            ActivityDecision.grade,
            ActivityDecision.decision,
            ActivityDecision.decided_on,
        )
        .join(Unit, ActivityDecision.unit_id == Unit.id)
        .where(ActivityDecision.learner_id.in_(ids), ActivityDecision.revoked_at.is_(None))
        .order_by(ActivityDecision.learner_id, Unit.code)
    )
    for learner_id, code, grade, decision, decided_on in db.session.execute(decisions):
        status = "validated" if decision == Decision.VALIDATED else "failed"
        results[learner_id].append(ResultEntry(unit=code, grade=grade, status=status, date=decided_on))

    has_published = (
        sa.select(Result.id)
        .where(Result.registration_id == Registration.id, Result.status == ResultStatus.PUBLISHED)
        .exists()
    )
    # The year is checked here, not in SQL: with the year in the WHERE clause, SQLite without fresh
    # statistics walks every offering of the year first (seconds at 200,000 learners), whereas a
    # learner's registrations still open are few.
    current = (
        sa.select(Registration.learner_id, Unit.code, Offering.academic_year)
        .distinct()
        .select_from(Registration)
        .join(Offering, Registration.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .where(
            Registration.learner_id.in_(ids),
            Registration.status == RegistrationStatus.REGISTERED,
            ~has_published,
        )
        .order_by(Registration.learner_id, Unit.code)
    )
    seen: set[tuple[int, str]] = set()
    for learner_id, code, offered_in in db.session.execute(current):
        if offered_in == year and (learner_id, code) not in seen:
            seen.add((learner_id, code))
            results[learner_id].append(ResultEntry(unit=code, status="registered"))

    credits: dict[int, list[CreditEntry]] = defaultdict(list)
    credit_query = (
        sa.select(Credit.learner_id, Unit.code, Credit.source, Programme.code, Credit.granted_on)
        .select_from(Credit)
        .join(Unit, Credit.unit_id == Unit.id)
        .outerjoin(Programme, Credit.programme_id == Programme.id)
        .where(Credit.learner_id.in_(ids), Credit.revoked_at.is_(None))
        .order_by(Credit.learner_id, Credit.granted_on, Credit.id)
    )
    for learner_id, code, source, programme, granted_on in db.session.execute(credit_query):
        credits[learner_id].append(CreditEntry(unit=code, source=source.value, program=programme, date=granted_on))

    exceptions: dict[int, list[ExceptionEntry]] = defaultdict(list)
    substitute, replaced = _SUBSTITUTE, _REPLACED
    substitution_query = (
        sa.select(
            Substitution.learner_id,
            Programme.code,
            substitute.code,
            sa.func.coalesce(replaced.code, Substitution.replaced_slot),  # a unit, or a free slot of the tree
            Substitution.reason,
            Substitution.counted_ects,
        )
        .select_from(Substitution)
        .join(Programme, Substitution.programme_id == Programme.id)
        .join(substitute, Substitution.substitute_unit_id == substitute.id)
        .outerjoin(replaced, Substitution.replaced_unit_id == replaced.id)
        .where(Substitution.learner_id.in_(ids), Substitution.revoked_at.is_(None))
        .order_by(Substitution.learner_id, Substitution.decided_on, Substitution.id)
    )
    for learner_id, programme, sub, rep, reason, ects in db.session.execute(substitution_query):
        exceptions[learner_id].append(
            ExceptionEntry(program=programme, substitute=sub, replaces=rep, reason=reason, ects=ects)
        )
    return {
        learner_id: LearnerRecord(
            learner=learner.learner_number,
            as_of=None,
            results=tuple(results.get(learner_id, ())),
            credits=tuple(credits.get(learner_id, ())),
            exceptions=tuple(exceptions.get(learner_id, ())),
        )
        for learner_id, learner in learners.items()
    }
