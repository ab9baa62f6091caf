"""The audit result of formats.md section 3, read off the final allocation, and readers of it.

:func:`report` builds the JSON-ready result; :func:`leaves` and :func:`missing_leaves` read one
(the what-if comparison, the ranking and the cockpit use them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lms.progress.audit.definitions import ProgramDef, UnitDef
from lms.progress.audit.holdings import REGISTERED, VALIDATED, Compensation, Holdings
from lms.progress.audit.numbers import ects_number, half_units
from lms.progress.audit.shape import Node, Option, Shape


@dataclass(slots=True)
class Outcome:
    """A node of the report, with what its parent needs to know; ECTS in halves."""

    json: dict[str, Any]
    met: bool
    met_if_passed: bool  # met if the registered units pass
    worth: int  # ECTS it brings to its parent's credits condition when met
    worth_if_passed: int
    earned: int
    in_progress: int


class _TreeReport:
    """Statuses and ECTS of each node, read off the final allocation."""

    def __init__(
        self,
        units: Mapping[str, UnitDef],
        held: Holdings,
        state: Mapping[str, str],
        assignment: Mapping[int, Option],
        compensated_units: Mapping[int, set[str]],
    ):
        self.units = units
        self.held = held
        self.state = state
        self.assignment = assignment
        self.compensated_units = compensated_units  # group index -> units it compensates

    def node(self, node: Node, compensated_here: frozenset[str]) -> Outcome:
        if node.kind == "unit":
            return self.leaf(node, compensated_here)
        if node.index in self.compensated_units:
            compensated_here = compensated_here | self.compensated_units[node.index]
        children = [self.node(child, compensated_here) for child in node.children]
        count = count_if_passed = worth = worth_if_passed = earned = in_progress = 0
        for child in children:
            earned += child.earned
            in_progress += child.in_progress
            if child.met:
                count += 1
                worth += child.worth
            if child.met_if_passed:
                count_if_passed += 1
                worth_if_passed += child.worth_if_passed
        if node.kind == "all":
            met = count == len(children)
            met_if_passed = count_if_passed == len(children)
        else:
            met = count >= node.choose and worth >= node.credits
            met_if_passed = count_if_passed >= node.choose and worth_if_passed >= node.credits
        out: dict[str, Any] = {"label": node.label, "kind": node.kind}
        if node.choose:
            out["choose"] = node.choose
        if node.has_credits:
            out["credits"] = ects_number(node.credits)
        out["status"] = "met" if met else "in_progress" if met_if_passed else "unmet"
        out["earned_ects"] = ects_number(earned)
        out["in_progress_ects"] = ects_number(in_progress)
        out["applied"] = []
        out["children"] = [child.json for child in children]
        return Outcome(out, met, met_if_passed, worth, worth_if_passed, earned, in_progress)

    def leaf(self, node: Node, compensated_here: frozenset[str]) -> Outcome:
        if node.index not in self.assignment and node.unit not in compensated_here:  # the common case: unmet
            named = {"kind": "slot", "slot": node.unit, "ects": ects_number(node.worth)} if node.is_slot else None
            out = {
                "label": node.label,
                **(named or {"kind": "unit", "unit": node.unit}),
                "status": "unmet",
                "earned_ects": 0,
                "in_progress_ects": 0,
                "applied": [],
                "children": [],
            }
            return Outcome(out, False, False, 0, 0, 0, 0)
        applied: list[dict[str, Any]] = []
        worth = node.worth
        validated = registered = False
        if node.unit in compensated_here:
            validated = True
            applied.append(
                {
                    "unit": node.unit,
                    "via": "compensation",
                    "ects": ects_number(node.worth),
                    "grade": float(self.held.best_grade[node.unit]),
                }
            )
        elif node.index in self.assignment:
            tokens, via, decided_worth = self.assignment[node.index]
            if decided_worth is not None:
                worth = decided_worth  # a substitution counting the ECTS its decision says
            registered = any(self.state[t] == REGISTERED for t in tokens)
            validated = not registered
            for token in sorted(tokens):
                entry: dict[str, Any] = {"unit": token, "via": via}
                if via == "equivalence":
                    entry["ects"] = ects_number(half_units(self.units[token].ects))
                    entry["for"] = node.unit
                elif via == "substitution":
                    entry["ects"] = ects_number(worth)
                    entry["for"] = node.unit
                else:
                    entry["ects"] = ects_number(node.worth)
                if self.state[token] == REGISTERED:
                    entry["in_progress"] = True
                applied.append(entry)
        named = {"kind": "slot", "slot": node.unit, "ects": ects_number(node.worth)} if node.is_slot else {}
        out = {
            "label": node.label,
            **(named or {"kind": "unit", "unit": node.unit}),
            "status": "met" if validated else "in_progress" if registered else "unmet",
            "earned_ects": ects_number(worth) if validated else 0,
            "in_progress_ects": ects_number(worth) if registered else 0,
            "applied": applied,
            "children": [],
        }
        met_if_passed = validated or registered
        earned = worth if validated else 0
        return Outcome(
            out, validated, met_if_passed, earned, worth if met_if_passed else 0, earned, worth if registered else 0
        )


def report(
    program: ProgramDef,
    shape: Shape,
    units: Mapping[str, UnitDef],
    held: Holdings,
    state: Mapping[str, str],
    compensation: Mapping[int, Compensation],
    *,
    as_of: date,
    status: str,
    missing: int | None,
    to_complete: Sequence[str],
    assignment: Mapping[int, Option],
    compensated: Iterable[int],
    used: set[str],
) -> dict[str, Any]:
    """The audit result (formats.md section 3) of an allocation: ``assignment`` (leaf index ->
    option applied), the ``compensated`` groups and the tokens ``used``; ``missing`` in halves."""
    compensated_units = {group_index: set(compensation[group_index].below) for group_index in compensated}
    tree = _TreeReport(units, held, state, assignment, compensated_units).node(shape.root, frozenset()).json
    return {
        "program": program.code,
        "version": program.version,
        "as_of": as_of.isoformat(),
        "status": status,
        "nominal_ects": ects_number(shape.nominal),
        "earned_ects": tree["earned_ects"],
        "in_progress_ects": tree["in_progress_ects"],
        "missing_ects": None if missing is None else ects_number(missing),
        "requirements": tree,
        "unused": sorted(code for code, s in state.items() if s == VALIDATED and code not in used),
        "to_complete": list(to_complete),
        "warnings": held.warnings,
    }


# --- reading a result ---------------------------------------------------------------------------


def leaves(node: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """The unit leaves of a result's requirement tree (``result["requirements"]``), in order
    (slots are no unit leaves: see :func:`slot_leaves`)."""
    if node["kind"] == "unit":
        yield node
    for child in node.get("children", ()):
        yield from leaves(child)


def slot_leaves(node: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """The free slots of a result's requirement tree, in order."""
    if node["kind"] == "slot":
        yield node
    for child in node.get("children", ()):
        yield from slot_leaves(child)


def missing_leaves(node: Mapping[str, Any]) -> list[str]:
    """Unit leaves and slots not met under groups not met (an upper bound of what is left)."""
    if node["status"] == "met":
        return []
    if node["kind"] in ("unit", "slot"):
        return [node.get("unit") or node["slot"]]
    return [code for child in node["children"] for code in missing_leaves(child)]
