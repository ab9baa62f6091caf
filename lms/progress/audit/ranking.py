"""Every programme ranked by what it still lacks with what the learner already holds (the
``lms rank`` logic, keeping each audit), and a cheap test before auditing many programmes.

Pure: no Flask, no database. The audits are :func:`lms.progress.audit.engine.audit` results
(formats.md section 3).

    rank(programs, units, equivalences, record, as_of=None) -> list[Ranked]
    rank_rows(programs, units, equivalences, record, as_of=None) -> list[dict]
        one {"program", "version", "title", "kind", "status", "earned_ects", "missing_ects"} per
        programme code (its newest version by string order), sorted by missing_ects (null last),
        then by program code: the output of ``lms rank``.
    closest_key(ranked) -> tuple
        the order of the learner's "Closest credentials" page: programmes where a unit of theirs
        counts first, then by missing_ects, share done and code (``lms rank`` keeps its order).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from lms.progress.audit.definitions import EquivalenceDef, ProgramDef, UnitDef, unit_codes
from lms.progress.audit.engine import audit
from lms.progress.audit.figures import counted_ects
from lms.progress.audit.holdings import read_holdings
from lms.progress.audit.records import LearnerRecord
from lms.progress.audit.report import leaves, missing_leaves
from lms.progress.audit.shape import shape_of

CERTIFICATE_PREFIX = "certificat_"


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


def units_counting(result: Mapping[str, Any]) -> int:
    """How many of the learner's units count in this audit: the distinct units applied to met
    leaves (validated results and credits, equivalence sources, substitutes, compensated units).
    Units only being taken this year, failed or of no use in this programme do not count."""
    applied = {
        entry["unit"]
        for leaf in leaves(result["requirements"])
        if leaf["status"] == "met"
        for entry in leaf["applied"]
        if not entry.get("in_progress")
    }
    return len(applied)


def share_done(result: Mapping[str, Any]) -> float | None:
    """The share of the cheapest completion already done, between 0 and 1: the ECTS validated
    that count here (:func:`lms.progress.audit.figures.counted_ects`, as the dashboard says) over
    those plus the ECTS still to validate; not the nominal total, which other options may exceed
    or fall short of. None when the programme cannot be completed; 1 when nothing is left."""
    missing = result["missing_ects"]
    if missing is None:
        return None
    counted = float(counted_ects(result))
    if counted + missing == 0:
        return 1.0
    return counted / (counted + missing)


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

    @cached_property  # the page's sort reads it for every programme, then the row again
    def units_missing(self) -> int | None:
        return units_missing(self.result)

    @cached_property  # the page's sort reads it for every programme, then the row again
    def units_counting(self) -> int:
        """How many of the learner's units count here (:func:`units_counting`)."""
        return units_counting(self.result)

    @cached_property  # the page's sort reads it for every programme, then the row again
    def share_done(self) -> float | None:
        """The share of the cheapest completion already done (:func:`share_done`)."""
        return share_done(self.result)


def closest_key(ranked: Ranked) -> tuple[bool, bool, Any, float, str]:
    """The order of the learner's "Closest credentials" page (not ``lms rank``'s, see
    :func:`rank_key`): programmes where at least one of the learner's units counts come before
    those where none does, so a small certificate or a programme asking for nothing does not come
    above one the learner is well into; inside each group, by the ECTS still to validate
    (programmes that cannot be completed last), then by share done (higher first), then by code."""
    missing = ranked.result["missing_ects"]
    share = ranked.share_done
    return (
        ranked.units_counting == 0,
        missing is None,
        missing or 0,
        -(share or 0.0),
        ranked.program.code,
    )


def rank(
    programs: Iterable[ProgramDef],
    units: Mapping[str, UnitDef],
    equivalences: Sequence[EquivalenceDef],
    record: LearnerRecord,
    as_of: date | None = None,
    blanks: BlankAudits | None = None,
) -> list[Ranked]:
    """Every programme (newest version of each) audited for ``record`` and sorted as ``lms rank``
    sorts. ``blanks``: where the audits of someone new come from (default: this process's)."""
    blanks = blanks or BLANKS
    newest = newest_versions(programs)
    as_of = as_of or record.as_of or date.today()
    held = {result.unit for result in record.results} | {credit.unit for credit in record.credits}
    decided = {exception.program for exception in record.exceptions}
    sources: dict[str, set[str]] = defaultdict(set)
    for rule in equivalences:
        sources[rule.counts_as].update(rule.units)
    ranked = []
    for code in sorted(newest):
        program = newest[code]
        tree = program.tree_units
        relevant = set(tree).union(*(sources[unit] for unit in tree if unit in sources))
        if code in decided or not held.isdisjoint(relevant):
            result = audit(program, units, equivalences, record, as_of)
        else:  # nothing the learner holds or is taking can count here: the audit of someone new,
            own = read_holdings(program, units, record, as_of)  # with what the learner holds unused
            blank = blanks.audit(program, units, equivalences, relevant, as_of)
            result = {**blank, "unused": sorted(own.validated), "warnings": own.warnings}
        ranked.append(Ranked(program, result))
    ranked.sort(key=lambda r: rank_key(r.row))
    return ranked


class BlankAudits:
    """The audit of a learner who holds nothing a programme can use, by programme version, for the
    last audit date asked: equal for every such learner (but for the record's own warnings), so
    ranking the whole catalogue audits only the programmes the learner's units touch. An entry is
    reused only while the programme, the ECTS of its units and its equivalences are the same.
    The results are shared: read them, never change them."""

    def __init__(self) -> None:
        self._blanks: dict[tuple[str, str], tuple[Any, date, frozenset, dict[str, Any]]] = {}

    def audit(
        self,
        program: ProgramDef,
        units: Mapping[str, UnitDef],
        equivalences: Sequence[EquivalenceDef],
        relevant: set[str],
        as_of: date,
    ) -> dict[str, Any]:
        key = (program.code, program.version)
        shape = shape_of(program, units)
        rules = frozenset(rule for rule in equivalences if rule.counts_as in relevant)
        known = self._blanks.get(key)
        if known is not None and known[0] is shape and known[1] == as_of and known[2] == rules:
            return known[3]
        result = audit(program, units, equivalences, LearnerRecord("", as_of, (), (), ()), as_of)
        self._blanks[key] = (shape, as_of, rules, result)
        return result


BLANKS = BlankAudits()
ROW_KEYS = ("status", "earned_ects", "missing_ects")  # what a row reads of an audit


class BlankRows(BlankAudits):
    """Blank audits for ``lms rank`` across calls: only what a row reads of each (:data:`ROW_KEYS`),
    for one catalogue and one audit date, loaded from and saved to wherever the caller keeps them
    (the catalogue's cache: :meth:`CatalogueCache.sidecar`). ``known`` maps (code, version) to the
    row's values; ``changed`` says whether audits were added since."""

    def __init__(self, known: Mapping[tuple[str, str], dict[str, Any]] | None = None) -> None:
        super().__init__()
        self.known = dict(known or {})
        self.changed = False

    def audit(
        self,
        program: ProgramDef,
        units: Mapping[str, UnitDef],
        equivalences: Sequence[EquivalenceDef],
        relevant: set[str],
        as_of: date,
    ) -> dict[str, Any]:
        key = (program.code, program.version)
        if key not in self.known:
            result = super().audit(program, units, equivalences, relevant, as_of)
            self.known[key] = {name: result[name] for name in ROW_KEYS}
            self.changed = True
        return self.known[key]


def rank_rows(
    programs: Iterable[ProgramDef],
    units: Mapping[str, UnitDef],
    equivalences: Sequence[EquivalenceDef],
    record: LearnerRecord,
    as_of: date | None = None,
    blanks: BlankAudits | None = None,
) -> list[dict[str, Any]]:
    """The output of ``lms rank``: :func:`rank` as one row per programme."""
    return [ranked.row for ranked in rank(programs, units, equivalences, record, as_of, blanks)]


# --- a cheap test before auditing many programmes -----------------------------------------------


def relevant_units(program: ProgramDef, equivalences: Sequence[EquivalenceDef]) -> frozenset[str]:
    """The units that can count toward ``program``: those of its tree and the sources of the
    equivalences that count as one of them."""
    tree = set(unit_codes(program.requirements))
    sources = {source for rule in equivalences if rule.counts_as in tree for source in rule.units}
    return frozenset(tree | sources)


def fewest_holdings(node: dict[str, Any]) -> int:
    """A lower bound of how many things a learner must hold for the tree (in normal form) to be
    met: each leaf consumes at least one token of its own (engine phase 1: a token is applied once
    in the whole tree), ``choose N`` the N cheapest children, ``credits`` at least one child."""
    if "unit" in node or "slot" in node:
        return 1
    if "all" in node:
        return sum(fewest_holdings(child) for child in node["all"])
    needs = sorted(fewest_holdings(child) for child in node["of"])
    bound = sum(needs[: node["choose"]]) if node.get("choose") is not None else 0
    if node.get("credits"):
        bound = max(bound, needs[0] if needs else 0)
    return bound


def compensates(node: dict[str, Any]) -> bool:
    """Whether some group of the tree may be met by compensation (a leaf met with no token)."""
    if node.get("compensation"):
        return True
    return any(compensates(child) for child in node.get("all", node.get("of", ())))


class CompletionFilter:
    """A cheap necessary test before auditing many programmes (the certificates, after each
    re-audit) for a learner: :meth:`candidates` keeps those whose audit may be complete.

    Each leaf of a tree met by the learner's own holdings consumes at least one token of its own
    (engine phase 1), so a complete audit needs at least :func:`fewest_holdings` distinct things
    held toward the programme that can be validated there: units of its tree or sources of its
    equivalences with a result at or above its pass mark (or validated), or a credit valid for it,
    plus one per substitution it grants. A tree with a compensation group (a leaf met with no
    token) counts every result but registrations and absences. Validity periods are not checked:
    the test may keep a programme that cannot be complete, never drop one that can. Programmes
    are indexed by the units that can count toward them, so a learner costs a look-up per unit
    held, not one pass over their record per programme."""

    def __init__(self, programs: Iterable[ProgramDef], equivalences: Sequence[EquivalenceDef]) -> None:
        self.programs = {program.code: program for program in programs}
        self.relevant = {code: relevant_units(program, equivalences) for code, program in self.programs.items()}
        self.needed = {code: fewest_holdings(program.requirements) for code, program in self.programs.items()}
        self.lenient = {code for code, program in self.programs.items() if compensates(program.requirements)}
        self.by_unit: dict[str, list[ProgramDef]] = {}
        for code, relevant in self.relevant.items():
            for unit in relevant:
                self.by_unit.setdefault(unit, []).append(self.programs[code])
        self.needs_nothing = [program for code, program in self.programs.items() if self.needed[code] <= 0]

    def candidates(self, record: LearnerRecord) -> list[ProgramDef]:
        """The programmes whose audit may be complete for ``record``, in no particular order."""
        held: dict[str, set[str]] = {}
        for result in record.results:
            if result.status in ("registered", "absent"):
                continue
            for program in self.by_unit.get(result.unit, ()):
                if (
                    result.status == "validated"
                    or (result.grade is not None and result.grade >= program.pass_mark)
                    or program.code in self.lenient
                ):
                    held.setdefault(program.code, set()).add(result.unit)
        for credit in record.credits:
            for program in self.by_unit.get(credit.unit, ()):
                if credit.program is None or credit.program == program.code:
                    held.setdefault(program.code, set()).add(credit.unit)
        granted: dict[str, int] = {}
        for exception in record.exceptions:
            if exception.program in self.programs:
                granted[exception.program] = granted.get(exception.program, 0) + 1
        kept = [
            self.programs[code]
            for code in held.keys() | granted.keys()
            if len(held.get(code, ())) + granted.get(code, 0) >= self.needed[code]
        ]
        # A tree that needs nothing held (``credits: 0``...): nothing can rule it out.
        kept += [program for program in self.needs_nothing if program.code not in held and program.code not in granted]
        return kept
