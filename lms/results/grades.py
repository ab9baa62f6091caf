"""The one grade parser: grade sheets, corrections, UA decisions and imported files read a grade
with the same rules. Pure Python (no Flask, no database): the importers use it too.

A grade is a plain number from 0 to 20 with a decimal comma or point and two decimals at most
("12", "12,5", "12.50"). Anything else is refused — signs, exponents, formulas ("=1+1"), "NaN",
"Infinity", spaces inside — and refused the same way everywhere.

Messages are English msgids marked with :func:`N_` and translated where a page shows them
(``lms.results.services.parse_grade``); ``str()`` keeps the English for files' problem lines.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lms.core.errors import Refusal

MAX_GRADE = Decimal(20)
HUNDREDTH = Decimal("0.01")
_NUMBER = re.compile(r"^(\d+)(?:[.,](\d+))?$")


def N_(message: str) -> str:
    """Marks ``message`` for translation (extracted by Babel), translated where it is shown."""
    return message


NOT_A_GRADE = N_("“%(text)s” is not a grade: enter a number from 0 to 20.")
OUT_OF_RANGE = N_("The grade “%(text)s” is outside 0–20.")
TOO_PRECISE = N_("The grade “%(text)s” has more than two decimals.")


class GradeError(Refusal):
    """A grade that cannot be accepted: ``msgid`` % ``params`` says why (next to its row or field)."""

    status = 422
    field = "grade"

    def __init__(self, msgid: str, **params: Any):
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params)


def parse_grade(text: str | None) -> Decimal | None:
    """The grade in ``text`` with two decimals (``"12,5"`` → ``Decimal("12.50")``); None when
    ``text`` is blank; :class:`GradeError` for anything else."""
    raw = (text or "").strip()
    if not raw:
        return None
    if raw.startswith("-") and _NUMBER.match(raw[1:]):
        raise GradeError(OUT_OF_RANGE, text=raw)
    if not _NUMBER.match(raw):
        raise GradeError(NOT_A_GRADE, text=raw)
    value = Decimal(raw.replace(",", "."))
    if value > MAX_GRADE:
        raise GradeError(OUT_OF_RANGE, text=raw)
    if value != value.quantize(HUNDREDTH):
        raise GradeError(TOO_PRECISE, text=raw)
    return value.quantize(HUNDREDTH)
