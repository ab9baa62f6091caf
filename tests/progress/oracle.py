"""A brute-force audit oracle: deliberately simple, exponential, obviously correct.

Written from the decisions of the project (see the test brief), not from the engine, to check the
engine (lms.progress.audit.engine) on small random cases: trees of at most ~7 leaves over ~7 units.

Model
-----
Each unit of the catalogue gives at most one *token* (a validated unit, or, when auditing what
is under way, a registered one, or, when pricing a completion, a hypothetical one). A leaf of unit
``u`` may be met by one *option*:

- the token of ``u`` (direct);
- the token of ``x`` for an exception (this programme, substitute ``x``, replaces ``u``);
- the tokens of all the sources of an equivalence counting as ``u``.

A compensation group (``all`` of unit leaves, section 4) may instead be met as a whole when the
grade conditions hold on the real record; it then consumes the tokens of its validated units.
No token is used twice in the tree. We enumerate every assignment and evaluate the tree.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from lms.progress.audit.catalogue import EquivalenceDef, ProgramDef, UnitDef
from lms.progress.audit.records import LearnerRecord


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years (29 February falls back to 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def children(node: dict[str, Any]) -> list[dict[str, Any]]:
    return node.get("all", node.get("of", []))


def tree_units(node: dict[str, Any]) -> set[str]:
    if "unit" in node:
        return {node["unit"]}
    return set().union(*(tree_units(child) for child in children(node)))


@dataclass
class Oracle:
    program: ProgramDef
    units: Mapping[str, UnitDef]
    equivalences: Sequence[EquivalenceDef]
    record: LearnerRecord
    as_of: date

    # --- the record, read for this programme -----------------------------------------------------

    def current(self, day: date | None) -> bool:
        """False when dated more than validity_years years before the audit date."""
        if day is None or self.program.validity_years is None:
            return True
        return day >= add_years(self.as_of, -self.program.validity_years)

    def results(self):
        return [r for r in self.record.results if r.unit in self.units and self.current(r.date)]

    def credits(self):
        return [
            c
            for c in self.record.credits
            if c.unit in self.units and self.current(c.date) and c.program in (None, self.program.code)
        ]

    def result_validates(self, result) -> bool:
        return result.status == "validated" or (result.grade is not None and result.grade >= self.program.pass_mark)

    def validated(self) -> set[str]:
        units = {r.unit for r in self.results() if self.result_validates(r)}
        return units | {c.unit for c in self.credits()}

    def registered(self) -> set[str]:
        return {r.unit for r in self.results() if r.status == "registered"} - self.validated()

    def best_grades(self) -> dict[str, Decimal]:
        best: dict[str, Decimal] = {}
        for r in self.results():
            if r.grade is not None:
                best[r.unit] = max(best.get(r.unit, r.grade), r.grade)
        return best

    def earliest_validated_date(self) -> date | None:
        mine = tree_units(self.program.requirements)
        days = [r.date for r in self.results() if self.result_validates(r) and r.unit in mine and r.date]
        days += [c.date for c in self.credits() if c.unit in mine and c.date]
        return min(days, default=None)

    # --- compensation ----------------------------------------------------------------------------

    def compensable(self, group: dict[str, Any]) -> bool:
        rule = group["compensation"]
        codes = [leaf["unit"] for leaf in group["all"]]
        best = self.best_grades()
        if not all(code in best for code in codes):
            return False
        weight = sum(self.units[code].ects for code in codes)
        if weight == 0:
            return False  # no average (never generated)
        average = sum(self.units[code].ects * best[code] for code in codes) / weight
        if average < Decimal(str(rule["min_average"])):
            return False
        floor = rule.get("floor")
        if any(best[code] < Decimal(str(floor if floor is not None else 0)) for code in codes):
            return False
        within = rule.get("within_years")
        earliest = self.earliest_validated_date()
        if within is not None and earliest is not None and self.as_of > add_years(earliest, within):
            return False
        return True

    # --- assignments -----------------------------------------------------------------------------

    def leaf_options(self, code: str, pool: frozenset[str]) -> list[frozenset[str]]:
        """Token sets that may meet a leaf of ``code``; the empty option (unmet) is not listed."""
        options = []
        if code in pool:
            options.append(frozenset([code]))
        for exc in self.record.exceptions:
            if exc.program == self.program.code and exc.replaces == code and exc.substitute in pool:
                options.append(frozenset([exc.substitute]))
        for eq in self.equivalences:
            if eq.counts_as == code and set(eq.units) <= pool:
                options.append(frozenset(eq.units))
        return options

    def leaves_and_groups(self):
        """(path, unit) of every leaf, and (path, node) of every compensation group."""
        leaves, groups = [], []

        def walk(node, path):
            if "unit" in node:
                leaves.append((path, node["unit"]))
                return
            if "compensation" in node:
                groups.append((path, node))
            for i, child in enumerate(children(node)):
                walk(child, path + (i,))

        walk(self.program.requirements, ())
        return leaves, groups

    def assignments(self, pool: frozenset[str]) -> Iterator[set[tuple[int, ...]]]:
        """Every set of met leaf paths reachable without using a token twice."""
        leaves, groups = self.leaves_and_groups()
        validated = self.validated()
        usable_groups = [(path, node) for path, node in groups if self.compensable(node)]
        for chosen in itertools.product([False, True], repeat=len(usable_groups)):
            used: set[str] = set()
            met: set[tuple[int, ...]] = set()
            covered: list[tuple[int, ...]] = []
            clash = False
            for (path, node), on in zip(usable_groups, chosen, strict=True):
                if not on:
                    continue
                tokens = {leaf["unit"] for leaf in node["all"]} & validated
                if tokens & used:
                    clash = True
                used |= tokens
                covered.append(path)
                met |= {path + (i,) for i in range(len(node["all"]))}
            if clash:
                continue
            free = [(path, code) for path, code in leaves if not any(path[: len(g)] == g for g in covered)]
            yield from self._extend(free, 0, pool, frozenset(used), met)

    def _extend(self, free, i, pool, used, met) -> Iterator[set[tuple[int, ...]]]:
        if i == len(free):
            yield met
            return
        path, code = free[i]
        yield from self._extend(free, i + 1, pool, used, met)  # leave it unmet
        for option in self.leaf_options(code, pool):
            if not option & used:
                yield from self._extend(free, i + 1, pool, used | option, met | {path})

    def evaluate(self, node, path, met) -> tuple[bool, Decimal]:
        """(met?, worth) of ``node`` when the leaves at paths ``met`` are met."""
        if "unit" in node:
            return path in met, self.units[node["unit"]].ects
        results = [self.evaluate(child, path + (i,), met) for i, child in enumerate(children(node))]
        count = sum(ok for ok, _ in results)
        worth = sum((w for ok, w in results if ok), Decimal(0))
        if "all" in node:
            ok = count == len(results)
        else:
            ok = True
            if "choose" in node:
                ok = ok and count >= node["choose"]
            if "credits" in node:
                ok = ok and worth >= Decimal(str(node["credits"]))
        return ok, worth

    def meets(self, pool: frozenset[str]) -> bool:
        root = self.program.requirements
        return any(self.evaluate(root, (), met)[0] for met in self.assignments(pool))

    # --- answers ---------------------------------------------------------------------------------

    def status(self) -> str:
        validated = frozenset(self.validated())
        if self.meets(validated):
            return "complete"
        if self.meets(validated | self.registered()):
            return "in_progress"
        return "incomplete"

    def missing_ects(self) -> Decimal | None:
        validated = frozenset(self.validated())
        candidates = sorted(tree_units(self.program.requirements) - validated)
        if not self.meets(validated | frozenset(candidates)):
            return None
        subsets = (
            frozenset(combo)
            for size in range(len(candidates) + 1)
            for combo in itertools.combinations(candidates, size)
        )
        costs = sorted(((sum((self.units[c].ects for c in m), Decimal(0)), len(m), sorted(m)), m) for m in subsets)
        for (cost, _, _), subset in costs:
            if self.meets(validated | subset):
                return cost
        raise AssertionError("unreachable: the full set meets the root")


# --- checks on an engine result ------------------------------------------------------------------


def applied_entries(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every ``applied`` entry of the result tree ``node`` (formats.md section 3)."""
    yield from node.get("applied", [])
    for child in node.get("children", []):
        yield from applied_entries(child)


def token_problems(result: dict[str, Any], oracle: Oracle) -> list[str]:
    """What is wrong with the tokens an engine result applies: a unit applied twice, or a unit
    applied though neither validated nor registered for the programme (compensation: not graded
    in its group). A compensation entry of a unit that is not validated uses no token."""
    problems = []
    validated, registered = oracle.validated(), oracle.registered()
    grades = oracle.best_grades()
    seen: dict[str, int] = {}

    def walk(node: dict[str, Any]) -> None:
        for entry in node.get("applied", []):
            unit = entry["unit"]
            if entry["via"] == "compensation":
                if unit not in grades:
                    problems.append(f"{unit} applied via compensation without a grade")
                if unit not in validated:
                    continue
            elif unit not in validated | registered:
                problems.append(f"{unit} applied via {entry['via']} but neither validated nor registered")
            seen[unit] = seen.get(unit, 0) + 1
        for child in node.get("children", []):
            walk(child)

    walk(result["requirements"])
    problems += [f"{unit} applied {n} times" for unit, n in sorted(seen.items()) if n > 1]
    return problems
