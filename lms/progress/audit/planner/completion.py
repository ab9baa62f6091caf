"""Does validating some units complete the programme? The audit engine, memoised for the search."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

from lms.progress.audit.definitions import EquivalenceDef, ProgramDef, UnitDef
from lms.progress.audit.engine import audit
from lms.progress.audit.records import LearnerRecord, ResultEntry


def held_units(program: ProgramDef, record: LearnerRecord) -> tuple[set[str], set[str]]:
    """(units validated for this programme, units registered) according to the record."""
    validated, registered = set(), set()
    for result in record.results:
        if (result.grade is not None and result.grade >= program.pass_mark) or result.status == "validated":
            validated.add(result.unit)
        elif result.status == "registered":
            registered.add(result.unit)
    for credit in record.credits:
        if credit.program is None or credit.program == program.code:
            validated.add(credit.unit)
    return validated, registered - validated


class Completes:
    """Does validating these units (besides the record, registered units passing) complete the
    programme? Memoised engine calls; ``calls`` counts them for the search budget."""

    def __init__(
        self,
        program: ProgramDef,
        units: Mapping[str, UnitDef],
        equivalences: Sequence[EquivalenceDef],
        record: LearnerRecord,
        as_of: date,
    ):
        self.program, self.units, self.equivalences = program, units, equivalences
        self.as_of = as_of
        _validated, registered = held_units(program, record)
        extra = tuple(ResultEntry(unit=code, status="validated") for code in sorted(registered))
        self.base = replace(record, results=tuple(record.results) + extra)
        self.memo: dict[frozenset[str], Fraction | None] = {}
        self.calls = 0

    def audit(self, codes: Iterable[str]) -> dict[str, Any]:
        """The audit of the record with ``codes`` validated too."""
        self.calls += 1
        extra = tuple(ResultEntry(unit=code, status="validated") for code in sorted(codes))
        record = replace(self.base, results=self.base.results + extra)
        return audit(self.program, self.units, self.equivalences, record, self.as_of)

    def __call__(self, codes: frozenset[str]) -> bool:
        return self.missing(codes) == 0

    def missing(self, codes: frozenset[str]) -> Fraction | None:
        """The least ECTS still to validate after these units (None: cannot complete)."""
        known = self.memo.get(codes, False)
        if known is False:
            result = self.audit(codes)
            missing = result["missing_ects"]
            if result["status"] == "complete":
                missing = 0
            known = self.memo[codes] = None if missing is None else Fraction(str(missing))
        return known
