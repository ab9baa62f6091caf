"""What a grade sheet row holds: the values typed or imported, read and compared."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lms.core.i18n import lazy_gettext as _l
from lms.results import grades
from lms.results.grades import GradeError
from lms.results.models import (
    Decision,
    Result,
)

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


__all__ = ["SOURCE_SHEET", "RowInput", "Value", "parse_grade", "read_value", "snapshot", "value_of"]
