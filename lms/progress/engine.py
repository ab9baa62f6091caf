"""The audit engine (formats.md sections 2 to 4). Pure Python: no Flask, no database.

API (stable; the implementation follows below):

    audit(program, units, equivalences, record, as_of=None) -> dict
        program       lms.catalog.loader.ProgramDef (requirements in normal form)
        units         mapping code -> lms.catalog.loader.UnitDef (the whole catalogue)
        equivalences  sequence of lms.catalog.loader.EquivalenceDef
        record        lms.progress.records.LearnerRecord
        as_of         audit date; default record.as_of, else today
        returns the JSON-ready audit result of formats.md section 3 (ECTS as int, or float for halves)

    rank(programs, units, equivalences, record, as_of=None) -> list[dict]
        one {"program", "version", "title", "kind", "status", "earned_ects", "missing_ects"} per
        programme code (its newest version by string order), sorted by missing_ects (null last),
        then by program code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from lms.catalog.loader import EquivalenceDef, ProgramDef, UnitDef
from lms.progress.records import LearnerRecord


def audit(
    program: ProgramDef,
    units: Mapping[str, UnitDef],
    equivalences: Sequence[EquivalenceDef],
    record: LearnerRecord,
    as_of: date | None = None,
) -> dict[str, Any]:
    raise NotImplementedError


def rank(
    programs: Iterable[ProgramDef],
    units: Mapping[str, UnitDef],
    equivalences: Sequence[EquivalenceDef],
    record: LearnerRecord,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    raise NotImplementedError
