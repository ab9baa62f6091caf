"""Writes on results: grade sheets (draft, publish), locking after the jury, corrections.

Every change appends a :class:`ResultHistory` row; history rows are never updated or deleted.
Functions flush, never commit: the request boundary commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.catalog.models import UnitKind
from lms.core.errors import Refusal
from lms.core.time import utcnow
from lms.extensions import db
from lms.results import grades
from lms.results.grades import GradeError
from lms.results.models import (
    Decision,
    HistoryAction,
    Result,
    ResultHistory,
    ResultStatus,
)
from lms.timetable.models import Offering, Registration

PASS_MARK = Decimal(10)
SOURCE_SHEET = "sheet"


def parse_grade(text: str | None) -> Decimal | None:
    """A typed grade read by :func:`lms.results.grades.parse_grade` (``"12,5"`` → Decimal('12.50'),
    blank → None), its refusal as :class:`GradeError` in the user's language."""
    try:
        return grades.parse_grade(text)
    except grades.GradeError as error:
        raise GradeError(_l(error.msgid, **error.params)) from None


@dataclass
class RowInput:
    """What the sheet posted for one registration (raw text kept for redisplay)."""

    registration_id: int
    grade: str | None = ""  # None: not on the page (a UA sheet has no grade column): kept as it is
    absent: bool = False
    decision: str = ""
    comment: str | None = ""  # None: not on the page (a UE sheet has no comment column): kept
    version: int | None = None  # the version of the result when the sheet was loaded; None: no result then


@dataclass(frozen=True)
class Value:
    grade: Decimal | None = None
    absent: bool = False
    decision: Decision | None = None
    comment: str | None = None

    @property
    def empty(self) -> bool:
        return self.grade is None and not self.absent and self.decision is None and not self.comment

    def as_json(self) -> dict[str, Any]:
        return {
            "grade": None if self.grade is None else str(self.grade),
            "absent": self.absent,
            "decision": None if self.decision is None else self.decision.value,
            "comment": self.comment,
        }


def value_of(result: Result | None) -> Value:
    if result is None:
        return Value()
    grade = None if result.grade is None else Decimal(result.grade).quantize(Decimal("0.01"))
    return Value(grade, bool(result.absent), result.decision, result.comment or None)


def snapshot(result: Result) -> dict[str, Any]:
    return {
        **value_of(result).as_json(),
        "status": result.status.value,
        "locked": result.locked,
    }


class SheetRejected(Refusal):
    """Some rows are invalid: nothing was saved. ``errors`` maps registration id → message."""

    status = 422
    message = _l("Nothing was saved: correct the rows marked below.")

    def __init__(self, errors: dict[int, Any]):
        super().__init__()
        self.errors = errors


class VersionConflict(Refusal):
    """Rows changed by someone else since the sheet was loaded: ``registration_ids``."""

    status = 409
    message = _l("Someone else changed this data at the same time. Nothing was overwritten.")

    def __init__(self, registration_ids: Iterable[int]):
        super().__init__()
        self.registration_ids = sorted(set(registration_ids))


class SheetLocked(Refusal):
    """The jury date of this session has passed: the sheet is read-only."""

    status = 409
    message = _l("The jury has met: this sheet is locked.")


class CorrectionRefused(Refusal):
    """A correction the rules refuse; on the grade unless the reason is at fault."""

    status = 422
    field = "grade"


def jury_date(offering: Offering, session: int) -> date | None:
    return offering.jury1_on if session == 1 else offering.jury2_on


def sheet_locked(offering: Offering, session: int, today: date | None = None) -> bool:
    """Locked the day after the jury of that session."""
    jury = jury_date(offering, session)
    return jury is not None and (today or utcnow().date()) > jury


def read_value(row: RowInput, is_ua: bool, current: Value | None = None) -> Value:
    """The value of a posted row, or :class:`GradeError`. Fields not posted keep ``current``."""
    current = current or Value()
    if row.comment is None:
        comment = current.comment
    else:
        comment = row.comment.strip() or None
    if comment is not None and len(comment) > 2000:
        raise GradeError(_l("The comment is longer than 2,000 characters."))
    if is_ua:
        decision = None
        if row.decision:
            try:
                decision = Decision(row.decision)
            except ValueError:
                raise GradeError(_l("Choose validated or not validated.")) from None
        if row.absent and decision is not None:
            raise GradeError(_l("A learner marked absent has no decision."))
        grade = (None if row.absent else current.grade) if row.grade is None else parse_grade(row.grade)
        if row.absent and grade is not None:
            raise GradeError(_l("A learner marked absent has no grade."))
        return Value(grade, row.absent, decision, comment)
    grade = (None if row.absent else current.grade) if row.grade is None else parse_grade(row.grade)
    if row.absent and grade is not None:
        raise GradeError(_l("A learner marked absent has no grade."))
    return Value(grade, row.absent, None, comment)


def _history(
    result: Result,
    action: HistoryAction,
    actor: User | None,
    old,
    new,
    source: str,
    reason=None,
) -> None:
    db.session.add(
        ResultHistory(
            result=result,
            action=action,
            changed_at=utcnow(),
            changed_by_id=actor.id if actor is not None else None,
            old_value=old,
            new_value=new,
            source=source,
            reason=reason,
        )
    )


def _apply(result: Result, value: Value, actor: User | None) -> None:
    result.grade = value.grade
    result.absent = value.absent
    result.decision = value.decision
    result.comment = value.comment
    result.updated_at = utcnow()
    result.updated_by_id = actor.id if actor is not None else None


def _published(results: list[Result]) -> None:
    """After a publish or a correction: re-audit the learners, then tell the plugins."""
    from lms.core.holdings import holdings_changed

    holdings_changed({result.registration.learner_id for result in results}, "results published")
    from lms.plugins.manager import plugin_manager

    hook = plugin_manager().hook.lms_result_published
    for result in results:
        hook(result=result)


def save_sheet(
    offering: Offering,
    session: int,
    rows: Iterable[RowInput],
    actor: User | None,
    publish: bool,
    today: date | None = None,
    source: str = SOURCE_SHEET,
) -> list[Result]:
    """Save the rows of one grade sheet, all or nothing; ``publish`` also publishes every filled row.

    Raises :class:`SheetLocked`, :class:`SheetRejected` (invalid rows, nothing written) or
    :class:`VersionConflict` (a row changed since it was loaded; the caller rolls back).
    Returns the results written.
    """
    if session not in (1, 2):
        raise ValueError("exam session is 1 or 2")
    if sheet_locked(offering, session, today):
        raise SheetLocked()
    rows = list(rows)
    is_ua = offering.unit.kind == UnitKind.UA
    allowed = {registration.id: registration for registration in sheet_registrations(offering, session)}
    existing = (
        {
            result.registration_id: result
            for result in db.session.scalars(
                sa.select(Result).where(
                    Result.registration_id.in_(list(allowed)),
                    Result.exam_session == session,
                )
            )
        }
        if allowed
        else {}
    )

    errors: dict[int, Any] = {}
    values: dict[int, Value] = {}
    conflicts: list[int] = []
    for row in rows:
        if row.registration_id not in allowed:
            errors[row.registration_id] = _l("This learner is not on this sheet.")
            continue
        result = existing.get(row.registration_id)
        try:
            value = read_value(row, is_ua, value_of(result))
        except GradeError as error:
            errors[row.registration_id] = error.message
            continue
        if result is not None and row.version != result.version and value != value_of(result):
            conflicts.append(row.registration_id)  # changed meanwhile, and this save would overwrite it
            continue
        if result is not None and result.locked and value != value_of(result):
            errors[row.registration_id] = _l("This result is locked: ask a director for a correction.")
            continue
        if result is not None and result.status == ResultStatus.PUBLISHED and value.empty:
            errors[row.registration_id] = _l("A published result cannot be emptied.")
            continue
        values[row.registration_id] = value
    if errors:
        raise SheetRejected(errors)
    if conflicts:
        raise VersionConflict(conflicts)

    written: list[Result] = []
    written_ids: list[int] = []
    newly_published: list[Result] = []
    now = utcnow()
    for registration_id, value in values.items():
        result = existing.get(registration_id)
        if result is None:
            if value.empty:
                continue
            result = Result(
                registration=allowed[registration_id],
                exam_session=session,
                status=ResultStatus.DRAFT,
            )
            _apply(result, value, actor)
            db.session.add(result)
            _history(result, HistoryAction.CREATE, actor, None, snapshot(result), source)
        elif value != value_of(result):
            old = snapshot(result)
            _apply(result, value, actor)
            _history(result, HistoryAction.EDIT, actor, old, snapshot(result), source)
        elif not (publish and result.status == ResultStatus.DRAFT and not value.empty):
            continue
        if publish and result.status == ResultStatus.DRAFT and not value.empty:
            old = snapshot(result)
            result.status = ResultStatus.PUBLISHED
            result.published_at = now
            result.decided_on = now.date()
            _history(result, HistoryAction.PUBLISH, actor, old, snapshot(result), source)
            newly_published.append(result)
        written.append(result)
        written_ids.append(registration_id)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError:
        raise VersionConflict(written_ids) from None
    except sa.exc.IntegrityError:  # another first save of the same empty row won the race
        raise VersionConflict(written_ids) from None
    if newly_published:
        _published(newly_published)
    return written


def set_jury_date(offering: Offering, session: int, day: date, today: date | None = None) -> None:
    """Set the jury date of an exam session; the sheet locks the day after it. A jury that has
    already met stays as it is: moving it would unlock published results."""
    if sheet_locked(offering, session, today):
        raise SheetLocked(_l("The jury has met: this sheet is locked."))
    if session == 1:
        offering.jury1_on = day
    else:
        offering.jury2_on = day
    db.session.flush()


def lock_sheet(
    offering: Offering,
    session: int,
    actor: User | None = None,
    today: date | None = None,
) -> int:
    """Once the jury date is past, lock the published results of the sheet (one ``lock`` row each)."""
    if not sheet_locked(offering, session, today):
        return 0
    results = db.session.scalars(
        sa.select(Result)
        .join(Registration, Result.registration_id == Registration.id)
        .where(
            Registration.offering_id == offering.id,
            Result.exam_session == session,
            Result.status == ResultStatus.PUBLISHED,
            Result.locked.is_(False),
        )
    ).all()
    if not results:
        return 0
    try:
        with db.session.begin_nested():  # only this is undone if another request got there first
            for result in results:
                old = snapshot(result)
                result.locked = True
                _history(result, HistoryAction.LOCK, actor, old, snapshot(result), SOURCE_SHEET)
    except StaleDataError:  # another request locked (or corrected) them meanwhile: theirs stands
        return 0
    return len(results)


def correct_result(
    result: Result,
    new_value: Value,
    reason: str,
    actor: User,
    version: int | None = None,
    today: date | None = None,
) -> Result:
    """A director's or administrator's correction of a published result after the jury.

    The caller checks who ``actor`` is; this checks the rules: a written reason, a published
    result whose sheet is locked, a value that changes something, the version it was read at.
    """
    reason = (reason or "").strip()
    if not reason:
        raise CorrectionRefused(_l("Give the reason for this correction."), "reason")
    if version is not None and version != result.version:
        raise VersionConflict([result.registration_id])
    offering = result.registration.offering
    if result.status != ResultStatus.PUBLISHED:
        raise CorrectionRefused(_l("Only a published result can be corrected."))
    if not (result.locked or sheet_locked(offering, result.exam_session, today)):
        raise CorrectionRefused(_l("This sheet is not locked yet: its tutors can still change it."))
    if new_value.empty:
        raise CorrectionRefused(_l("A published result cannot be emptied."))
    if new_value == value_of(result):
        raise CorrectionRefused(_l("The new value is the same as the current one."))
    registration_id = result.registration_id
    old = snapshot(result)
    _apply(result, new_value, actor)
    result.locked = True
    _history(
        result,
        HistoryAction.CORRECTION,
        actor,
        old,
        snapshot(result),
        SOURCE_SHEET,
        reason,
    )
    try:
        db.session.flush()
    except StaleDataError:
        raise VersionConflict([registration_id]) from None
    _published([result])
    return result


def sheet_registrations(offering: Offering, session: int) -> list[Registration]:
    from lms.results.queries import sheet_registrations as query

    return query(offering, session)
