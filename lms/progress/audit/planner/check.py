"""Re-checking a saved plan against today's offerings and record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from lms.progress.audit.definitions import EquivalenceDef, ProgramDef, UnitDef
from lms.progress.audit.planner.completion import Completes, held_units
from lms.progress.audit.planner.plans import Problem, Slot
from lms.progress.audit.planner.terms import Term, term_index
from lms.progress.audit.records import LearnerRecord


def check_plan(
    schedule: Sequence[Mapping[str, Any]],
    program: ProgramDef,
    units: Mapping[str, UnitDef],
    equivalences: Sequence[EquivalenceDef],
    record: LearnerRecord,
    slots: Iterable[Slot],
    start: Term,
    as_of: date | None = None,
) -> list[Problem]:
    """Why a saved schedule (``Plan.schedule_json()``) no longer works, or [] when it still does.

    Every planned unit not yet validated nor registered must still have its offering (a published
    one by id; an assumed one as the same unit, year, semester, modality and centre, published or
    still assumed) in a term not yet over; and the planned units must still complete the programme.
    """
    as_of = as_of or record.as_of or date.today()
    completes = Completes(program, units, equivalences, record, as_of)
    validated, registered = held_units(program, record)
    by_id = {slot.offering_id: slot for slot in slots if slot.offering_id is not None}
    by_key = {slot.key for slot in slots}
    problems: list[Problem] = []
    planned: set[str] = set()
    for term in schedule:
        for entry in term.get("units", ()):
            code = entry["code"]
            planned.add(code)
            if code in validated or code in registered or entry.get("activity"):
                continue
            semester = entry.get("semester") or term["semester"]
            year = entry.get("year", term["year"])
            if entry.get("offering_id") is not None and not entry.get("assumed"):
                found = by_id.get(entry["offering_id"])
                present = found is not None and (found.year, found.semester) == (year, semester)
            else:
                present = (code, year, semester, entry.get("modality"), entry.get("centre")) in by_key
            begins = (year, "S2") if semester == "S2" else (year, "S1")
            if term_index(begins, start) < 0:
                problems.append(Problem("term_passed", code))
            elif not present:
                problems.append(Problem("offering_gone", code))
    if not completes(frozenset(planned)):
        problems.append(Problem("incomplete"))
    return problems
