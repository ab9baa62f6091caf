"""The requirement tree as flat nodes, and what else depends only on the programme and the catalogue.

A :class:`Shape` is built once per programme version and kept in :data:`SHAPES`, keyed by
(programme code, version): a bulk re-audit reads a fresh catalogue per batch, equal to the last
one, and reuses the shapes instead of keeping one copy per catalogue object.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from lms.progress.audit.definitions import ProgramDef, UnitDef
from lms.progress.audit.numbers import half_units

# A leaf's tie-break is at most this (costs keep them below PENALTY_UNIT in total, see solver.py).
TIEBREAK_MAX = 31


class Option(NamedTuple):
    """One way to meet a leaf: the tokens it consumes, how they count (formats.md ``via``) and,
    for a substitution whose decision counts other ECTS, the leaf's worth that way (in halves)."""

    tokens: frozenset[str]
    via: str  # result | credit | substitution | equivalence
    worth: int | None = None  # None: the leaf's own worth


@dataclass(frozen=True)
class CompensationRule:
    """A licence's compensation on an ``all`` group of leaves: met as a whole when the average of
    the best grades (weighted by ECTS) reaches ``min_average``, no grade is below ``floor``, and
    the units were validated within ``within_years`` of the first one (when set)."""

    min_average: Decimal
    floor: Decimal
    within_years: int | None

    @classmethod
    def from_raw(cls, rule: Mapping[str, Any]) -> CompensationRule:
        return cls(
            min_average=Decimal(str(rule["min_average"])),
            floor=Decimal(str(rule.get("floor", 0) or 0)),
            within_years=rule.get("within_years") or None,
        )


@dataclass(eq=False)
class Node:
    """One node of the tree. Nodes are numbered depth-first: ``nodes[index:end]`` is its subtree."""

    index: int
    kind: str  # unit | all | choose | credits (a slot is a leaf of kind unit, see is_slot)
    label: str | None
    children: list[Node] = field(default_factory=list)
    unit: str | None = None  # a slot's code for a slot
    is_slot: bool = False  # a free slot: met only by an exception naming it, worth its own ECTS
    worth: int = 0  # leaf: ECTS of its unit, in halves
    choose: int = 0
    credits: int = 0  # halves
    has_credits: bool = False  # a credits condition is written on this group
    needs_worth: bool = False  # an ancestor's credits condition depends on this node's worth
    end: int = 0
    tiebreak: int = 0  # leaf: a tiny extra cost that orders equally cheap choices (see _build)
    compensation: CompensationRule | None = None


def _build(
    raw: Mapping[str, Any],
    units: Mapping[str, UnitDef],
    nodes: list[Node],
    needs_worth: bool,
    depth: int = 0,
    position: int = 0,
    siblings: int = 1,
) -> Node:
    node = Node(index=len(nodes), kind="unit", label=raw.get("label"), needs_worth=needs_worth)
    nodes.append(node)
    if "unit" in raw or "slot" in raw:
        if "slot" in raw:
            node.unit, node.is_slot, node.worth = raw["slot"], True, half_units(raw["ects"])
        else:
            node.unit = raw["unit"]
            node.worth = half_units(units[node.unit].ects) if node.unit in units else 0
        node.end = node.index + 1
        # Among equally cheap leaves, groups at even depth prefer their first children and groups
        # at odd depth their last ones. Two overlapping groups (a unit listed in both) then tend
        # to pick different units at once, which spares rounds of solve_exact. Exactness never
        # depends on it.
        node.tiebreak = min(position if depth % 2 else siblings - 1 - position, TIEBREAK_MAX)
        return node
    if "all" in raw:
        node.kind = "all"
        children = raw["all"]
        if raw.get("compensation"):
            node.compensation = CompensationRule.from_raw(raw["compensation"])
    else:
        node.choose = raw.get("choose", 0)
        node.has_credits = "credits" in raw
        node.credits = half_units(raw["credits"]) if node.has_credits else 0
        node.kind = "choose" if "choose" in raw else "credits"
        children = raw["of"]
    child_needs = needs_worth or "credits" in raw
    node.children = [
        _build(child, units, nodes, child_needs, depth + 1, i, len(children)) for i, child in enumerate(children)
    ]
    node.end = len(nodes)
    return node


@dataclass(eq=False)
class Shape:
    """The programme's tree and the ECTS of its units, ready for any learner's audit."""

    nodes: list[Node]
    root: Node
    leaves: list[Node]
    groups: list[Node]
    # Leaf units the catalogue knows, and the slots: an unfilled slot is a hypothetical token worth
    # its ECTS, so that it counts in missing_ects as formats.md says (no learner can hold one).
    tree_units: set[str]
    own_options: dict[str, dict[str, Option]]  # tree unit -> via (result | credit) -> the unit itself
    ects: dict[str, int]  # tree unit or slot -> ECTS in halves
    slots: set[str]
    nominal: int  # the programme's ECTS in halves
    # What the shape was built from (see matches); program and units are the last objects seen.
    program: ProgramDef
    units: Mapping[str, UnitDef]
    leaf_ects: dict[str, Decimal | None]  # every leaf unit -> its catalogue ECTS (None: unknown)
    fewest: int = 0  # at least this many leaves are met whenever the root is (see fewest_leaves)

    def matches(self, program: ProgramDef, units: Mapping[str, UnitDef]) -> bool:
        """Would ``program`` and ``units`` build this very shape (another object, the same content)?"""
        return (
            program.requirements == self.program.requirements
            and program.ects == self.program.ects
            and all((units[code].ects if code in units else None) == ects for code, ects in self.leaf_ects.items())
        )


def _own_options(code: str) -> dict[str, Option]:
    tokens = frozenset((code,))
    return {via: Option(tokens, via) for via in ("result", "credit")}


def build_shape(program: ProgramDef, units: Mapping[str, UnitDef]) -> Shape:
    nodes: list[Node] = []
    root = _build(program.requirements, units, nodes, needs_worth=False)
    leaves = [node for node in nodes if node.kind == "unit"]
    slots = {leaf.unit: leaf.worth for leaf in leaves if leaf.is_slot}
    tree_units = {leaf.unit for leaf in leaves if leaf.unit in units or leaf.unit in slots}
    return Shape(
        nodes=nodes,
        root=root,
        leaves=leaves,
        groups=[node for node in nodes if node.kind != "unit"],
        tree_units=tree_units,
        own_options={code: _own_options(code) for code in tree_units},
        ects={code: slots[code] if code in slots else half_units(units[code].ects) for code in tree_units},
        slots=set(slots),
        nominal=half_units(program.ects),
        program=program,
        units=units,
        leaf_ects={
            leaf.unit: units[leaf.unit].ects if leaf.unit in units else None for leaf in leaves if not leaf.is_slot
        },
        fewest=fewest_leaves(root),
    )


def fewest_leaves(node: Node) -> int:
    """A lower bound of how many leaves are met whenever ``node`` is (compensation aside): a leaf
    one, ``all`` the sum of its children, ``choose N`` its N cheapest children, a credits condition
    at least one child."""
    if node.kind == "unit":
        return 1
    needs = [fewest_leaves(child) for child in node.children]
    if node.kind == "all":
        return sum(needs)
    needs.sort()
    bound = sum(needs[: node.choose]) if node.choose else 0
    if node.has_credits and node.credits > 0 and needs:
        bound = max(bound, needs[0])
    return bound


class ShapeCache:
    """Shapes by (programme code, version), the least recently used dropped past ``size``.

    A hit on the very objects of the last audit costs two identity checks; a hit on equal objects
    (the next batch's catalogue) is checked by content and then remembers the new objects, so the
    previous catalogue can be freed. A changed programme or unit under the same key is rebuilt.
    """

    def __init__(self, size: int = 512):
        self.size = size
        self._shapes: OrderedDict[tuple[str, str], Shape] = OrderedDict()
        self._lock = threading.Lock()  # gunicorn threads may audit at once: one eviction at a time

    def __len__(self) -> int:
        return len(self._shapes)

    def clear(self) -> None:
        with self._lock:
            self._shapes.clear()

    def shape(self, program: ProgramDef, units: Mapping[str, UnitDef]) -> Shape:
        key = (program.code, program.version)
        shape = self._shapes.get(key)
        if shape is not None and (shape.program is program and shape.units is units or shape.matches(program, units)):
            shape.program, shape.units = program, units
            try:  # most recently used; no lock needed: one C call, and the key may just have been dropped
                self._shapes.move_to_end(key)
            except KeyError:
                pass
            return shape
        shape = build_shape(program, units)
        with self._lock:
            self._shapes[key] = shape
            while len(self._shapes) > self.size:
                self._shapes.popitem(last=False)
        return shape


SHAPES = ShapeCache()


def shape_of(program: ProgramDef, units: Mapping[str, UnitDef]) -> Shape:
    """The cached shape of ``program`` over the catalogue ``units``."""
    return SHAPES.shape(program, units)
