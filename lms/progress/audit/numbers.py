"""Exact arithmetic shared by the audit's modules: ECTS in half units, dates shifted by whole years.

The engine counts ECTS as integers in half units (4.5 ECTS -> 9), so that sums and comparisons
are exact; results are turned back into ``int`` (or ``float`` for a half) only in the report.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def half_units(value: Decimal | int | float) -> int:
    """ECTS in half units: 4.5 ECTS -> 9."""
    return int(Decimal(str(value)) * 2)


def ects_number(halves: int) -> int | float:
    """Half units back to ECTS as formats.md writes them: 9 -> 4.5, 8 -> 4."""
    return halves // 2 if halves % 2 == 0 else halves / 2


def shift_years(day: date, years: int) -> date:
    """The same day ``years`` later (earlier when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)
