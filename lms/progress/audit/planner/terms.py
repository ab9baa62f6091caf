"""Terms (semesters) counted from the plan's start, and the offerings assumed to come back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # plans.py imports Term from here
    from lms.progress.audit.planner.plans import Slot

SEMESTERS = ("S1", "S2")

Term = tuple[int, str]  # (academic year, "S1" | "S2")


def start_term(day: date) -> Term:
    """The next semester one can still register for: S1 (October) until September, S2 (February)
    from October to January."""
    if day.month >= 10:
        return (day.year, "S2")
    if day.month == 1:
        return (day.year - 1, "S2")
    return (day.year, "S1")


def term_index(term: Term, start: Term) -> int:
    """How many terms after ``start`` (0 for ``start`` itself, negative before it)."""
    return 2 * (term[0] - start[0]) + SEMESTERS.index(term[1]) - SEMESTERS.index(start[1])


def term_at(index: int, start: Term) -> Term:
    """The term ``index`` terms after ``start``."""
    absolute = 2 * start[0] + SEMESTERS.index(start[1]) + index
    return (absolute // 2, SEMESTERS[absolute % 2])


def occupies(slot: Slot, start: Term) -> tuple[int, ...]:
    """The terms (indexes from ``start``) an offering is taught in: both of its year when annual."""
    if slot.semester == "A":
        return (term_index((slot.year, "S1"), start), term_index((slot.year, "S2"), start))
    return (term_index((slot.year, slot.semester), start),)


def extend_slots(slots: Iterable[Slot], through_year: int) -> list[Slot]:
    """``slots`` plus, for each unit, its latest published year repeated yearly up to
    ``through_year``, flagged ``assumed`` (no offering id)."""
    slots = list(slots)
    latest: dict[str, int] = {}
    for slot in slots:
        latest[slot.unit] = max(latest.get(slot.unit, slot.year), slot.year)
    extended = list(slots)
    for slot in slots:
        if slot.year != latest[slot.unit] or slot.assumed:
            continue
        for year in range(slot.year + 1, through_year + 1):
            extended.append(replace(slot, year=year, offering_id=None, assumed=True))
    return extended
