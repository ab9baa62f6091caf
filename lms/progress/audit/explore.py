"""Exploring other programmes with what the learner already holds: every programme ranked by what
it still lacks (the ``lms rank`` logic, with the audits kept), and the units whose status changes
between two audits (a newer version of the learner's programme, or any other programme).

Pure: no Flask, no database. The audits are :func:`lms.progress.audit.engine.audit` results
(formats.md section 3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lms.progress.audit.catalogue import EquivalenceDef, ProgramDef, UnitDef
from lms.progress.audit.engine import audit
from lms.progress.audit.records import LearnerRecord

CERTIFICATE_PREFIX = "certificat_"
COUNTING = ("met", "in_progress")


def is_certificate(kind: str) -> bool:
    """Certificates (of competence, of specialisation, professional): ``certificat_*`` kinds."""
    return str(kind).startswith(CERTIFICATE_PREFIX)


def newest_versions(programs: Iterable[ProgramDef]) -> dict[str, ProgramDef]:
    """The newest version (by string order, as ``lms rank``) of each programme, by code."""
    newest: dict[str, ProgramDef] = {}
    for program in programs:
        if program.code not in newest or program.version > newest[program.code].version:
            newest[program.code] = program
    return newest


def rank_key(row: Mapping[str, Any]) -> tuple[bool, Any, str]:
    """``lms rank`` order: by missing_ects (programmes that cannot be completed last), then code."""
    return row["missing_ects"] is None, row["missing_ects"] or 0, row["program"]


def rank_row(program: ProgramDef, result: Mapping[str, Any]) -> dict[str, Any]:
    """One line of ``lms rank`` (formats.md section 3)."""
    return {
        "program": program.code,
        "version": program.version,
        "title": program.title,
        "kind": program.kind,
        "status": result["status"],
        "earned_ects": result["earned_ects"],
        "missing_ects": result["missing_ects"],
    }


def units_missing(result: Mapping[str, Any]) -> int | None:
    """How many units are still to validate in the cheapest way to complete the programme (units
    being taken this year included), or None when it cannot be completed. 0 when complete."""
    if result["missing_ects"] is None:
        return None
    if result["status"] == "complete":
        return 0
    if "to_complete" in result:
        return len(result["to_complete"])
    return len(missing_leaves(result["requirements"]))  # an audit without ``to_complete``


def missing_leaves(node: Mapping[str, Any]) -> list[str]:
    """Unit leaves not met under groups not met (an upper bound of what is left)."""
    if node["status"] == "met":
        return []
    if node["kind"] == "unit":
        return [node["unit"]]
    return [code for child in node["children"] for code in missing_leaves(child)]


@dataclass(frozen=True)
class Ranked:
    """A programme version with the learner's audit of it."""

    program: ProgramDef
    result: dict[str, Any]

    @property
    def row(self) -> dict[str, Any]:
        return rank_row(self.program, self.result)

    @property
    def certificate(self) -> bool:
        return is_certificate(self.program.kind)

    @property
    def complete(self) -> bool:
        return self.result["status"] == "complete"

    @property
    def claimable(self) -> bool:
        """A certificate the learner could claim now."""
        return self.certificate and self.complete

    @property
    def units_missing(self) -> int | None:
        return units_missing(self.result)


def rank(
    programs: Iterable[ProgramDef],
    units: Mapping[str, UnitDef],
    equivalences: Sequence[EquivalenceDef],
    record: LearnerRecord,
    as_of: date | None = None,
) -> list[Ranked]:
    """Every programme (newest version of each) audited for ``record`` and sorted as ``lms rank``
    sorts: ``[r.row for r in rank(...)] == engine.rank(...)``."""
    newest = newest_versions(programs)
    ranked = [Ranked(newest[code], audit(newest[code], units, equivalences, record, as_of)) for code in sorted(newest)]
    ranked.sort(key=lambda r: rank_key(r.row))
    return ranked


# --- what changes between two audits ------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where a unit stands in one audit.

    ``status``: ``met`` / ``in_progress`` (it counts: as its own requirement or for another one),
    ``unmet`` (a requirement not met yet), ``unused`` (validated but counting nowhere) or
    ``absent`` (neither a requirement nor held). ``via``: how it counts; ``for_unit``: the
    requirement it counts for when that is another unit (equivalence, substitution); ``by``: the
    units that meet this requirement when they are others.
    """

    status: str
    via: str | None = None
    for_unit: str | None = None
    by: tuple[str, ...] = ()

    @property
    def counts(self) -> bool:
        return self.status in COUNTING


ABSENT = Standing("absent")


def _leaves(node: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    if node["kind"] == "unit":
        yield node
    for child in node.get("children", ()):
        yield from _leaves(child)


def standings(result: Mapping[str, Any]) -> dict[str, Standing]:
    """Every unit of the audit (requirements, units applied, unused units) and where it stands."""
    out: dict[str, Standing] = {}
    leaves = list(_leaves(result["requirements"]))
    for leaf in leaves:  # units that count, for themselves or for another requirement
        for entry in leaf.get("applied", ()):
            token = entry["unit"]
            status = "in_progress" if entry.get("in_progress") else "met"
            if token in out and out[token].status == "met":
                continue
            out[token] = Standing(status, entry["via"], None if leaf["unit"] == token else leaf["unit"])
    for leaf in leaves:  # requirements: met by others, or not met
        code = leaf["unit"]
        if code in out:
            continue
        if leaf["status"] in COUNTING:
            applied = leaf.get("applied", ())
            out[code] = Standing(
                leaf["status"],
                applied[0]["via"] if applied else None,
                by=tuple(entry["unit"] for entry in applied),
            )
        else:
            out[code] = Standing("unmet")
    for code in result.get("unused", ()):
        out.setdefault(code, Standing("unused"))
    return out


# Change kinds, from the first audit to the second.
LOST = "lost"  # it counted; it is now a requirement not met
GAINED = "gained"  # a requirement not met; it now counts
NOW_UNUSED = "now_unused"  # it counted; it now counts nowhere
NOW_COUNTS = "now_counts"  # it counted nowhere (or was no requirement); it now counts
COUNTS_DIFFERENTLY = "counts_differently"  # it counts in both, another way
NEW_REQUIREMENT = "new_requirement"  # a requirement not met that the first did not have
DROPPED_REQUIREMENT = "dropped_requirement"  # a requirement not met that the second does not have
CHANGED = "changed"


@dataclass(frozen=True)
class UnitChange:
    unit: str
    before: Standing
    after: Standing

    @property
    def kind(self) -> str:
        before, after = self.before, self.after
        if before.counts and after.counts:
            return COUNTS_DIFFERENTLY
        if before.counts:
            return LOST if after.status == "unmet" else NOW_UNUSED
        if after.counts:
            return GAINED if before.status == "unmet" else NOW_COUNTS
        if after.status == "unmet" and before.status == "absent":
            return NEW_REQUIREMENT
        if before.status == "unmet" and after.status == "absent":
            return DROPPED_REQUIREMENT
        return CHANGED


def status_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[UnitChange]:
    """The units whose standing differs between two audits of the same record (typically the
    learner's version of a programme, then a newer one), by unit code."""
    first, second = standings(before), standings(after)
    changes = []
    for code in sorted(first.keys() | second.keys()):
        was, now = first.get(code, ABSENT), second.get(code, ABSENT)
        if was != now:
            changes.append(UnitChange(code, was, now))
    return changes


# --- a cheap test before auditing many programmes -----------------------------------------------


def relevant_units(program: ProgramDef, equivalences: Sequence[EquivalenceDef]) -> frozenset[str]:
    """The units that can count toward ``program``: those of its tree and the sources of the
    equivalences that count as one of them."""
    from lms.progress.audit.requirements import unit_codes

    tree = set(unit_codes(program.requirements))
    sources = {source for rule in equivalences if rule.counts_as in tree for source in rule.units}
    return frozenset(tree | sources)


def may_count(record: LearnerRecord, program_code: str, relevant: frozenset[str]) -> bool:
    """False when nothing the learner holds can count toward the programme (no result other than
    a registration or an absence, no credit and no substitution there): its audit cannot be
    complete, unless its tree asks for no unit at all."""
    if not relevant:
        return True
    for result in record.results:
        if result.status not in ("registered", "absent") and result.unit in relevant:
            return True
    for credit in record.credits:
        if credit.unit in relevant and credit.program in (None, program_code):
            return True
    return any(exception.program == program_code for exception in record.exceptions)


def held_changes(changes: Iterable[UnitChange]) -> list[UnitChange]:
    """The changes of units the learner holds or takes (not bare requirements gained or lost):
    what matters when comparing with another programme rather than another version."""
    return [change for change in changes if change.kind not in (NEW_REQUIREMENT, DROPPED_REQUIREMENT)]
