"""The one grade parser: grade sheets, corrections, UA decisions and imported files read a grade
with the same rules. Pure Python (no Flask, no database): the importers use it too.

A grade is a plain number from 0 to 20 with a decimal comma or point and two decimals at most
("12", "12,5", "12.50"). Anything else is refused — signs, exponents, formulas ("=1+1"), "NaN",
"Infinity", spaces inside — and refused the same way everywhere.

A score out of another maximum (a Moodle total /100) is read with ``out_of``: the same syntax,
from 0 to ``out_of``, then rescaled to /20 as ``score × 20 ÷ out_of`` rounded to the nearest
hundredth, halves up (``72,5`` /100 → ``14.50``; ``33,33`` /50 → ``13.33``; ``0,05`` /8 →
``0.13``). The score itself has two decimals at most, as a grade.

Messages are English msgids marked with :func:`N_` and translated where a page shows them
(``lms.results.services.parse_grade``); ``str()`` keeps the English for files' problem lines.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
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
ABOVE_MAXIMUM = N_("The grade “%(text)s” is outside 0–%(maximum)s.")
BAD_MAXIMUM = N_("The maximum “%(text)s” is not a number above 0.")
TOO_PRECISE = N_("The grade “%(text)s” has more than two decimals.")


class GradeError(Refusal):
    """A grade that cannot be accepted: ``msgid`` % ``params`` says why (next to its row or field)."""

    status = 422
    field = "grade"

    def __init__(self, msgid: str, **params: Any):
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params)


def parse_grade(text: str | None, out_of: Decimal = MAX_GRADE) -> Decimal | None:
    """The grade in ``text`` with two decimals (``"12,5"`` → ``Decimal("12.50")``); None when
    ``text`` is blank; :class:`GradeError` for anything else. With ``out_of`` (another maximum
    than 20), ``text`` is a score from 0 to ``out_of``, returned rescaled to /20."""
    raw = (text or "").strip()
    if not raw:
        return None
    other = out_of != MAX_GRADE
    out_of_range = (ABOVE_MAXIMUM, {"maximum": plain_number(out_of)}) if other else (OUT_OF_RANGE, {})
    if raw.startswith("-") and _NUMBER.match(raw[1:]):
        raise GradeError(out_of_range[0], text=raw, **out_of_range[1])
    if not _NUMBER.match(raw):
        raise GradeError(NOT_A_GRADE, text=raw)
    value = Decimal(raw.replace(",", "."))
    if value > out_of:
        raise GradeError(out_of_range[0], text=raw, **out_of_range[1])
    if value != value.quantize(HUNDREDTH):
        raise GradeError(TOO_PRECISE, text=raw)
    if other:
        return rescale(value, out_of)
    return value.quantize(HUNDREDTH)


def plain_number(value: Decimal) -> Decimal:
    """``value`` without trailing zeros nor exponent: 100.00 → 100, 12.50 → 12.5."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def rescale(score: Decimal, out_of: Decimal) -> Decimal:
    """``score`` /``out_of`` on /20: ``score × 20 ÷ out_of``, to the hundredth, halves up."""
    return (score * MAX_GRADE / out_of).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def parse_maximum(text: str | None) -> Decimal | None:
    """A maximum such as ``"100"`` or ``"12,5"`` (a number above 0, two decimals at most); None
    when blank; :class:`GradeError` otherwise."""
    raw = (text or "").strip()
    if not raw:
        return None
    match = _NUMBER.match(raw)
    value = Decimal(raw.replace(",", ".")) if match else Decimal(0)
    if value <= 0 or value != value.quantize(HUNDREDTH) or value > 100000:
        raise GradeError(BAD_MAXIMUM, text=raw)
    return value
