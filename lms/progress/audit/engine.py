"""The audit engine (formats.md sections 2 to 4). Pure Python: no Flask, no database.

API
---

    audit(program, units, equivalences, record, as_of=None) -> dict
        program       lms.progress.audit.catalogue.ProgramDef (requirements in normal form)
        units         mapping code -> lms.progress.audit.catalogue.UnitDef (the whole catalogue)
        equivalences  sequence of lms.progress.audit.catalogue.EquivalenceDef
        record        lms.progress.audit.records.LearnerRecord
        as_of         audit date; default record.as_of, else today
        returns the JSON-ready audit result of formats.md section 3 (ECTS as int, or float for halves),
        plus optional keys: ``to_complete`` (the units still to validate in the cheapest way to
        complete, registered ones first; their ECTS add up to missing_ects), ``in_progress`` and
        ``for`` in applied entries, ``choose`` / ``credits`` / ``in_progress_ects`` on groups

    rank(programs, units, equivalences, record, as_of=None) -> list[dict]
        one {"program", "version", "title", "kind", "status", "earned_ects", "missing_ects"} per
        programme code (its newest version by string order), sorted by missing_ects (null last),
        then by program code.

How the audit works (for a newcomer)
------------------------------------

1. **Tokens.** Every unit the learner holds becomes one *token*: ``V`` when validated for this
   programme (grade >= pass mark, status validated, or a credit valid here, not expired by
   ``validity_years``), ``R`` when only registered. Every unit of the tree the learner does not
   hold validated gets a *hypothetical* token ``H``: "what if the learner validated it". Each
   token can be applied once in the whole tree.

2. **Options.** A leaf for unit ``u`` can be met by one *option*, a set of tokens it consumes:
   ``{u}`` itself; ``{x}`` for a substitution "x stands for u"; or the source tokens of an
   equivalence whose ``counts_as`` is ``u``. A compensation group (licences) has one more option
   as a whole: meet every leaf at once, consuming the tokens of its validated units.

3. **Costs.** The question "what is the least ECTS still to validate" becomes a minimum-cost
   problem: ``V`` tokens cost 0, ``R`` and ``H`` tokens cost their unit's ECTS. The root can be
   met at cost 0 exactly when the programme is complete, and the minimum cost is
   ``missing_ects``. A second run where ``R`` costs 0 and ``H`` is forbidden tells whether the
   programme is ``in_progress``.

4. **Search.** Most tokens can serve a single leaf; they never conflict, so each leaf simply
   takes its cheapest option. Only *contested* tokens (usable by two leaves or more: a unit
   listed in two groups, an equivalence source that is also a leaf, a substitute that is also a
   leaf) make the problem combinatorial. Each contested token gets a bit. The tree is solved
   bottom-up: each node returns its *menu*, the Pareto-optimal ways to meet it, each
   ``(bits of contested tokens used, cost, worth)``; a group combines its children's menus,
   keeping only combinations whose bit sets are disjoint (no token used twice), and drops any way
   that another way beats on every count (fewer tokens, lower cost, at least the same worth).
   ``worth`` (the ECTS of a met node) is tracked only below a ``credits`` group, where it
   matters. This is dynamic programming over the tree with the contested tokens as state: exact
   (every allocation is represented by an entry at least as good), and fast because real
   programmes have few contested tokens.

5. **Report.** The best menu entry of the root is unfolded into leaf assignments; hypothetical
   tokens are dropped (those leaves are what is missing); remaining validated and registered
   tokens are applied to leaves still open, so the learner sees everything that counts; node
   statuses, ``earned_ects``, ``in_progress_ects`` and ``unused`` are read off that allocation.

Numbers are handled as integers in half-ECTS units internally, so comparisons are exact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from lms.progress.audit.catalogue import EquivalenceDef, ProgramDef, UnitDef
from lms.progress.audit.records import LearnerRecord

VALIDATED, REGISTERED, HYPOTHETICAL = "V", "R", "H"
# Costs are one integer: ects << SHIFT | penalties << PENALTY_SHIFT | tie-breaks, so that
# comparing integers compares (ECTS, penalties, tie-breaks) lexicographically. A penalty is paid
# for every token that is not validated, even a 0-ECTS one: a solution below PENALTY_UNIT uses
# validated tokens only. Tie-breaks (below PENALTY_UNIT in total) only order equal solutions.
SHIFT = 40
PENALTY_SHIFT = 20
PENALTY_UNIT = 1 << PENALTY_SHIFT
REGISTERED_PENALTY = PENALTY_UNIT
HYPOTHETICAL_PENALTY = 2 * PENALTY_UNIT  # a registered unit is a better way forward than an untaken one
TIEBREAK_MAX = 31
FORBIDDEN = None


def _half_units(value: Decimal | int | float) -> int:
    """ECTS in half units: 4.5 ECTS -> 9."""
    return int(Decimal(str(value)) * 2)


def _number(halves: int) -> int | float:
    return halves // 2 if halves % 2 == 0 else halves / 2


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- the learner's holdings ---------------------------------------------------------------------


@dataclass
class Holdings:
    """What the record says about each unit, for one programme at one date."""

    validated: dict[str, str] = field(default_factory=dict)  # unit -> "result" | "credit"
    registered: set[str] = field(default_factory=set)
    best_grade: dict[str, Decimal] = field(default_factory=dict)
    validated_dates: dict[str, list[date]] = field(default_factory=lambda: defaultdict(list))
    substitutes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # replaced -> [x]
    warnings: list[str] = field(default_factory=list)


def _holdings(program: ProgramDef, units: Mapping[str, UnitDef], record: LearnerRecord, as_of: date) -> Holdings:
    held = Holdings()
    cutoff = _years_before(as_of, program.validity_years) if program.validity_years else None
    unknown: set[str] = set()

    def known(code: str) -> bool:
        if code in units:
            return True
        unknown.add(code)
        return False

    def current(day: date | None) -> bool:
        return day is None or cutoff is None or day >= cutoff

    for result in record.results:
        if not known(result.unit) or not current(result.date):
            continue
        if result.grade is not None:
            best = held.best_grade.get(result.unit)
            held.best_grade[result.unit] = result.grade if best is None else max(best, result.grade)
        if (result.grade is not None and result.grade >= program.pass_mark) or result.status == "validated":
            held.validated[result.unit] = "result"
            if result.date is not None:
                held.validated_dates[result.unit].append(result.date)
        elif result.status == "registered":
            held.registered.add(result.unit)
    for credit in record.credits:
        if not known(credit.unit) or not current(credit.date):
            continue
        if credit.program is not None and credit.program != program.code:
            continue
        held.validated.setdefault(credit.unit, "credit")
        if credit.date is not None:
            held.validated_dates[credit.unit].append(credit.date)
    held.registered -= set(held.validated)
    for exception in record.exceptions:
        if exception.program != program.code:
            continue
        if known(exception.substitute) and known(exception.replaces):
            held.substitutes[exception.replaces].append(exception.substitute)
    held.warnings = [f"unknown unit {code}: ignored" for code in sorted(unknown)]
    return held


# --- the tree as flat nodes -----------------------------------------------------------------------


@dataclass
class Node:
    index: int
    raw: dict[str, Any]
    kind: str  # unit | all | choose | credits
    children: list[Node]
    unit: str | None = None
    worth: int = 0  # leaf: ECTS of its unit, in halves
    choose: int = 0
    credits: int = 0  # halves
    needs_worth: bool = False  # an ancestor's credits condition depends on this node's worth
    end: int = 0  # nodes[index:end] is this node's subtree (nodes are numbered depth-first)
    tiebreak: int = 0  # leaf: a tiny extra cost that orders equally cheap choices (see _build)


def _build(
    raw: dict[str, Any],
    units: Mapping[str, UnitDef],
    nodes: list[Node],
    needs_worth: bool,
    depth: int = 0,
    position: int = 0,
    siblings: int = 1,
) -> Node:
    node = Node(index=len(nodes), raw=raw, kind="unit", children=[], needs_worth=needs_worth)
    nodes.append(node)
    if "unit" in raw:
        node.unit = raw["unit"]
        node.worth = _half_units(units[node.unit].ects) if node.unit in units else 0
        node.end = node.index + 1
        # Among equally cheap leaves, groups at even depth prefer their first children and groups
        # at odd depth their last ones. Two overlapping groups (a unit listed in both) then tend
        # to pick different units at once, which spares rounds of _solve_exact. Exactness never
        # depends on it.
        node.tiebreak = min(position if depth % 2 else siblings - 1 - position, TIEBREAK_MAX)
        return node
    if "all" in raw:
        node.kind = "all"
        children = raw["all"]
    else:
        node.choose = raw.get("choose", 0)
        node.credits = _half_units(raw["credits"]) if "credits" in raw else 0
        node.kind = "choose" if "choose" in raw else "credits"
        children = raw["of"]
    child_needs = needs_worth or "credits" in raw
    node.children = [
        _build(child, units, nodes, child_needs, depth + 1, i, len(children)) for i, child in enumerate(children)
    ]
    node.end = len(nodes)
    return node


@dataclass
class _Shape:
    """What depends only on the programme and the catalogue, computed once and cached."""

    program: ProgramDef
    units: Mapping[str, UnitDef]
    nodes: list[Node]
    root: Node
    leaves: list[Node]
    groups: list[Node]
    tree_units: set[str]
    singletons: dict[str, frozenset[str]]
    ects: dict[str, int]
    nominal: int


_SHAPES: dict[tuple[int, int], _Shape] = {}


def _shape(program: ProgramDef, units: Mapping[str, UnitDef]) -> _Shape:
    key = (id(program), id(units))
    shape = _SHAPES.get(key)
    if shape is not None and shape.program is program and shape.units is units:
        return shape
    nodes: list[Node] = []
    root = _build(program.requirements, units, nodes, needs_worth=False)
    leaves = [node for node in nodes if node.kind == "unit"]
    tree_units = {leaf.unit for leaf in leaves if leaf.unit in units}
    shape = _Shape(
        program=program,
        units=units,
        nodes=nodes,
        root=root,
        leaves=leaves,
        groups=[node for node in nodes if node.kind != "unit"],
        tree_units=tree_units,
        singletons={code: frozenset((code,)) for code in tree_units},
        ects={code: _half_units(units[code].ects) for code in tree_units},
        nominal=_half_units(program.ects),
    )
    if len(_SHAPES) > 512:  # the cache holds programmes, not learners: a bound is enough
        _SHAPES.clear()
    _SHAPES[key] = shape
    return shape


# --- the solver -----------------------------------------------------------------------------------


class _Solver:
    """Minimum-cost way to meet the root, for one assignment of token costs (see module doc)."""

    def __init__(
        self,
        root: Node,
        options: Sequence[list[tuple[frozenset[str], str]]],
        token_cost: Mapping[str, int | None],
        bits: Mapping[str, int],
        local: Sequence[int],
        compensation: Mapping[int, tuple[frozenset[str], list[str]]],
    ):
        self.root = root
        self.options = options  # per node index: the leaf's options (tokens, via)
        self.token_cost = token_cost
        self.bits = bits
        self.local = local  # per node index: contested tokens used only inside its subtree
        self.compensation = compensation

    def option_cost(self, tokens: frozenset[str]) -> int | None:
        total = 0
        for token in tokens:
            cost = self.token_cost.get(token, FORBIDDEN)
            if cost is FORBIDDEN:
                return None
            total += cost
        return total

    def key(self, tokens: Iterable[str]) -> int:
        key = 0
        for token in tokens:
            key |= self.bits.get(token, 0)
        return key

    def solve(self) -> tuple[int, Any] | None:
        menu = self.menu(self.root)
        if not menu:
            return None
        best = min(menu, key=lambda entry: entry[1])
        return best[1], best

    def menu(self, node: Node) -> list[tuple[int, int, int, Any]]:
        """Pareto-optimal ways to meet ``node``: (contested-token bits, cost, worth, how)."""
        if node.kind == "unit":
            worth = node.worth if node.needs_worth else 0
            own = self.options[node.index]
            if len(own) == 1:  # the common case: the unit itself
                cost = self.option_cost(own[0][0])
                if cost is None:
                    return []
                return [(self.key(own[0][0]), cost + node.tiebreak, worth, ("leaf", node, 0))]
            entries = []
            for position, (tokens, _via) in enumerate(own):
                cost = self.option_cost(tokens)
                if cost is not None:
                    entries.append((self.key(tokens), cost + node.tiebreak, worth, ("leaf", node, position)))
            return _prune(entries)
        child_menus = [self.menu(child) for child in node.children]
        if node.kind == "all":
            entries = self._all(node, child_menus)
        else:
            entries = self._choose(node, child_menus)
        if node.index in self.compensation:
            tokens, _ = self.compensation[node.index]
            cost = self.option_cost(tokens)
            if cost is not None:
                worth = sum(child.worth for child in node.children) if node.needs_worth else 0
                entries.append((self.key(tokens), cost, worth, ("compensation", node)))
        if self.local[node.index]:
            # No leaf outside this subtree can use these tokens: forget them, keep the cheapest.
            keep = ~self.local[node.index]
            best: dict[tuple[int, int], tuple[int, int, int, Any]] = {}
            for key, cost, worth, how in entries:
                state = (key & keep, worth)
                if state not in best or cost < best[state][1]:
                    best[state] = (key & keep, cost, worth, how)
            entries = list(best.values())
        return _prune(entries)

    def _all(self, node: Node, child_menus: list[list]) -> list[tuple[int, int, int, Any]]:
        states: dict[tuple[int, int], tuple[int, Any]] = {(0, 0): (0, None)}
        for position, menu in enumerate(child_menus):
            if not menu:
                return []
            if len(menu) == 1 and menu[0][0] == 0:  # the common case: no contested token
                entry = menu[0]
                states = {
                    (key, worth + entry[2]): (cost + entry[1], (how, position, entry))
                    for (key, worth), (cost, how) in states.items()
                }
                continue
            grown: dict[tuple[int, int], tuple[int, Any]] = {}
            for (key, worth), (cost, how) in states.items():
                for entry in menu:
                    if key & entry[0]:
                        continue
                    state = (key | entry[0], worth + entry[2])
                    total = cost + entry[1]
                    known = grown.get(state)
                    if known is None or total < known[0]:
                        grown[state] = (total, (how, position, entry))
            states = _prune_states(grown)
        return [
            (key, cost, worth if node.needs_worth else 0, ("group", node, how))
            for (key, worth), (cost, how) in states.items()
        ]

    def _choose(self, node: Node, child_menus: list[list]) -> list[tuple[int, int, int, Any]]:
        need_count, need_worth = node.choose, node.credits
        if (
            not need_worth
            and not node.needs_worth
            and all(len(menu) <= 1 and (not menu or menu[0][0] == 0) for menu in child_menus)
        ):
            # The common case "choose N of independent children": the N cheapest.
            candidates = sorted(
                ((menu[0][1], position, menu[0]) for position, menu in enumerate(child_menus) if menu),
                key=lambda item: item[:2],
            )
            if len(candidates) < need_count:
                return []
            how = None
            for _cost, position, entry in candidates[:need_count]:
                how = (how, position, entry)
            return [(0, sum(item[0] for item in candidates[:need_count]), 0, ("group", node, how))]
        cap_worth = not node.needs_worth  # the group's worth only matters for its own threshold
        if cap_worth and all(len(menu) <= 1 and (not menu or menu[0][0] == 0) for menu in child_menus):
            # Independent children: a small knapsack on (count, worth), both capped at the need.
            table: dict[tuple[int, int], tuple[int, Any]] = {(0, 0): (0, None)}
            for position, menu in enumerate(child_menus):
                if not menu:
                    continue
                entry = menu[0]
                for (count, worth), (cost, how) in list(table.items()):
                    state = (min(count + 1, need_count), min(worth + entry[2], need_worth))
                    total = cost + entry[1]
                    known = table.get(state)
                    if known is None or total < known[0]:
                        table[state] = (total, (how, position, entry))
            done = table.get((need_count, need_worth))
            return [] if done is None else [(0, done[0], 0, ("group", node, done[1]))]
        # What the children after each position can still add at best: a state that cannot reach
        # the group's need even so is dropped at once (it could never be completed).
        reach_count = [0] * (len(child_menus) + 1)
        reach_worth = [0] * (len(child_menus) + 1)
        for position in range(len(child_menus) - 1, -1, -1):
            menu = child_menus[position]
            reach_count[position] = reach_count[position + 1] + (1 if menu else 0)
            reach_worth[position] = reach_worth[position + 1] + max((entry[2] for entry in menu), default=0)
        states: dict[tuple[int, int, int], tuple[int, Any]] = {(0, 0, 0): (0, None)}
        for position, menu in enumerate(child_menus):
            if not menu:
                continue
            grown = dict(states)  # every state may leave this child unmet
            for (key, count, worth), (cost, how) in states.items():
                for entry in menu:
                    if key & entry[0]:
                        continue
                    new_worth = worth + entry[2]
                    if cap_worth:
                        new_worth = min(new_worth, need_worth)
                    state = (key | entry[0], min(count + 1, need_count), new_worth)
                    total = cost + entry[1]
                    known = grown.get(state)
                    if known is None or total < known[0]:
                        grown[state] = (total, (how, position, entry))
            after = position + 1
            if need_count or need_worth:
                grown = {
                    state: value
                    for state, value in grown.items()
                    if state[1] + reach_count[after] >= need_count and state[2] + reach_worth[after] >= need_worth
                }
            states = _prune_choose_states(grown)
        return [
            (key, cost, worth if node.needs_worth else 0, ("group", node, how))
            for (key, count, worth), (cost, how) in states.items()
            if count >= need_count and worth >= need_worth
        ]


# Dominance checks are quadratic; above this size they cost more than the entries they remove.
# Skipping them keeps extra entries, never loses one: the result stays exact.
PRUNE_LIMIT = 48


def _prune(entries: list[tuple[int, int, int, Any]]) -> list[tuple[int, int, int, Any]]:
    """Drop entries another beats: subset of tokens, no more cost, at least the worth."""
    if len(entries) <= 1 or len(entries) > PRUNE_LIMIT:
        return entries
    entries.sort(key=lambda e: (e[1], -e[2], e[0].bit_count()))
    kept: list[tuple[int, int, int, Any]] = []
    for entry in entries:
        key, _cost, worth, _ = entry
        for k, _c, w, _h in kept:
            if (k & ~key) == 0 and w >= worth:
                break
        else:
            kept.append(entry)
    return kept


def _prune_states(states: dict[tuple[int, int], tuple[int, Any]]) -> dict[tuple[int, int], tuple[int, Any]]:
    if len(states) <= 1 or len(states) > PRUNE_LIMIT:
        return states
    ordered = sorted(states.items(), key=lambda item: (item[1][0], -item[0][1], item[0][0].bit_count()))
    kept: list[tuple[tuple[int, int], tuple[int, Any]]] = []
    for (key, worth), value in ordered:
        for (k, w), _ in kept:
            if (k & ~key) == 0 and w >= worth:
                break
        else:
            kept.append(((key, worth), value))
    return dict(kept)


def _prune_choose_states(states: dict[tuple[int, int, int], tuple[int, Any]]) -> dict:
    if len(states) <= 1 or len(states) > PRUNE_LIMIT:
        return states
    ordered = sorted(states.items(), key=lambda item: (item[1][0], -item[0][1], -item[0][2], item[0][0].bit_count()))
    kept: list = []
    for (key, count, worth), value in ordered:
        for (k, c, w), _ in kept:
            if (k & ~key) == 0 and c >= count and w >= worth:
                break
        else:
            kept.append(((key, count, worth), value))
    return dict(kept)


def _unfold(how: Any, chosen: dict[int, int], compensated: set[int]) -> None:
    """Turn the root's winning entry into leaf assignments (leaf index -> option position)."""
    stack = [how]
    while stack:
        item = stack.pop()
        tag = item[0]
        if tag == "leaf":
            chosen[item[1].index] = item[2]
        elif tag == "compensation":
            compensated.add(item[1].index)
        else:  # ("group", node, chain) with chain = (previous chain, child position, entry)
            chain = item[2]
            while chain is not None:
                previous, _position, entry = chain
                stack.append(entry[3])
                chain = previous


def _solve_exact(
    root: Node,
    groups: list[Node],
    options: Sequence[list[tuple[frozenset[str], str]]],
    compensation: Mapping[int, tuple[frozenset[str], list[str]]],
    cost: Mapping[str, int],
    users: Mapping[str, set[int]],
) -> tuple[int, dict[int, int], set[int]] | None:
    """The minimum cost of meeting the root, with the leaf assignments and compensated groups.

    Tokens are first treated as if each user had its own copy (a relaxation: its minimum is a
    lower bound). When the best solution uses a token twice, that token becomes *contested*
    (tracked by a bit, so no two parts of one solution may share it) and the tree is solved
    again. A solution that uses no token twice is optimal for the real problem too, since the
    relaxation only ever allowed more. Conflicts are rare in practice, so few rounds are needed.
    """
    contested: list[str] = []
    while True:
        bits = {token: 1 << i for i, token in enumerate(contested)}
        local = [0] * len(options)
        for node in groups:
            for token in contested:
                ids = users[token]
                if min(ids) >= node.index and max(ids) < node.end:
                    local[node.index] |= bits[token]
        result = _Solver(root, options, cost, bits, local, compensation).solve()
        if result is None:
            return None
        chosen: dict[int, int] = {}
        compensated: set[int] = set()
        _unfold(result[1][3], chosen, compensated)
        uses: dict[str, int] = defaultdict(int)
        for leaf_index, position in chosen.items():
            for token in options[leaf_index][position][0]:
                uses[token] += 1
        for group_index in compensated:
            for token in compensation[group_index][0]:
                uses[token] += 1
        conflicts = sorted(token for token, count in uses.items() if count > 1)
        if not conflicts:
            return result[0], chosen, compensated
        contested += conflicts


# --- the audit ------------------------------------------------------------------------------------


def audit(
    program: ProgramDef,
    units: Mapping[str, UnitDef],
    equivalences: Sequence[EquivalenceDef],
    record: LearnerRecord,
    as_of: date | None = None,
) -> dict[str, Any]:
    as_of = as_of or record.as_of or date.today()
    held = _holdings(program, units, record, as_of)
    shape = _shape(program, units)
    nodes, root, leaves = shape.nodes, shape.root, shape.leaves
    tree_units = shape.tree_units

    # Tokens and their states.
    state: dict[str, str] = {}
    for code in held.validated:
        state[code] = VALIDATED
    for code in held.registered:
        state[code] = REGISTERED
    for code in tree_units:
        state.setdefault(code, HYPOTHETICAL)

    # Options of each leaf (indexed by node index; empty for groups).
    counts_as: dict[str, list[EquivalenceDef]] = defaultdict(list)
    for equivalence in equivalences:
        counts_as[equivalence.counts_as].append(equivalence)
    options: list[list[tuple[frozenset[str], str]]] = [[] for _ in nodes]
    for leaf in leaves:
        own = options[leaf.index]
        if leaf.unit in shape.singletons:
            own.append((shape.singletons[leaf.unit], held.validated.get(leaf.unit, "result")))
        for substitute in held.substitutes.get(leaf.unit, ()):
            if substitute in state and substitute != leaf.unit:
                own.append((frozenset((substitute,)), "substitution"))
        for equivalence in counts_as.get(leaf.unit, ()):
            if all(source in state for source in equivalence.units):
                own.append((frozenset(equivalence.units), "equivalence"))

    # Compensation groups whose conditions hold on actual grades.
    compensation = _compensation_groups(nodes, program, held, tree_units, as_of)

    # Who may use each token: leaves through their options, compensation groups as a whole.
    users: dict[str, set[int]] = defaultdict(set)
    for leaf in leaves:
        for tokens, _via in options[leaf.index]:
            for token in tokens:
                users[token].add(leaf.index)
    for group_index, (tokens, _below) in compensation.items():
        for token in tokens:
            users[token].add(group_index)
    groups = shape.groups

    def ects(code: str) -> int:
        return shape.ects.get(code) or _half_units(units[code].ects)

    # Run A: what is missing. V free; R and H cost their ECTS (H a little more, so that a tie
    # shows the registered unit as the way forward).
    # Units outside the tree cannot be among the missing: a registered one is not usable here.
    cost_a = {
        code: 0
        if s == VALIDATED
        else (ects(code) << SHIFT) + (HYPOTHETICAL_PENALTY if s == HYPOTHETICAL else REGISTERED_PENALTY)
        for code, s in state.items()
        if s == VALIDATED or code in tree_units
    }
    best = _solve_exact(root, groups, options, compensation, cost_a, users)
    missing = None if best is None else _number(best[0] >> SHIFT)
    to_complete = [] if best is None else _still_needed(best[1], options, state)
    complete = best is not None and best[0] < PENALTY_UNIT
    status = "complete" if complete else "incomplete"
    if not complete and any(state[token] == REGISTERED for token in users):
        # Run B: would it be met if every registered unit were validated? R free (but dearer
        # than V as a tie-break), H forbidden. Without a usable registered unit it is run A's answer.
        cost_b = {code: 0 if s == VALIDATED else REGISTERED_PENALTY for code, s in state.items() if s != HYPOTHETICAL}
        optimistic = _solve_exact(root, groups, options, compensation, cost_b, users)
        if optimistic is not None:
            status = "in_progress"
            best = optimistic
    chosen, compensated = (best[1], best[2]) if best is not None else ({}, set())

    # Unfold the chosen allocation; drop hypothetical tokens; then apply what is left.
    assignment: dict[int, tuple[frozenset[str], str]] = {}
    used: set[str] = set()
    compensated_leaves: set[int] = set()
    for group_index in compensated:  # validated units by their own result, the others by compensation
        for child in nodes[group_index].children:
            if child.unit in held.validated:
                assignment[child.index] = (frozenset((child.unit,)), held.validated[child.unit])
                used.add(child.unit)
            else:
                compensated_leaves.add(child.index)
    for leaf_index, position in chosen.items():
        if leaf_index in assignment or leaf_index in compensated_leaves:
            continue
        tokens, via = options[leaf_index][position]
        if any(state[token] == HYPOTHETICAL for token in tokens):
            continue
        assignment[leaf_index] = (tokens, via)
        used |= tokens
    for leaf in leaves:  # everything else that can count, where it can
        if leaf.index in assignment or leaf.index in compensated_leaves:
            continue
        own = options[leaf.index]
        for tokens, via in own if len(own) <= 1 else sorted(own, key=lambda o: _preference(o, state)):
            if tokens & used or any(state[token] == HYPOTHETICAL for token in tokens):
                continue
            assignment[leaf.index] = (tokens, via)
            used |= tokens
            break

    tree = _Report(units, held, state, assignment, compensated, compensation).tree(root)
    unused = sorted(code for code, s in state.items() if s == VALIDATED and code not in used)
    return {
        "program": program.code,
        "version": program.version,
        "as_of": as_of.isoformat(),
        "status": status,
        "nominal_ects": _number(shape.nominal),
        "earned_ects": tree["earned_ects"],
        "in_progress_ects": tree["in_progress_ects"],
        "missing_ects": missing,
        "requirements": tree,
        "unused": unused,
        "to_complete": to_complete,
        "warnings": held.warnings,
    }


def _still_needed(
    chosen: Mapping[int, int], options: Sequence[list[tuple[frozenset[str], str]]], state: Mapping[str, str]
) -> list[str]:
    """The units not yet validated in the cheapest way to complete the programme (their ECTS add
    up to ``missing_ects``): the learner's next steps, registered units first."""
    needed = {
        token
        for leaf_index, position in chosen.items()
        for token in options[leaf_index][position][0]
        if state[token] != VALIDATED
    }
    return sorted(needed, key=lambda code: (state[code] != REGISTERED, code))


def _preference(option: tuple[frozenset[str], str], state: Mapping[str, str]) -> tuple[int, int, int]:
    tokens, via = option
    registered = sum(state[token] == REGISTERED for token in tokens)
    return (registered, {"result": 0, "credit": 0, "substitution": 1, "equivalence": 2}[via], len(tokens))


def _compensation_groups(
    nodes: list[Node], program: ProgramDef, held: Holdings, tree_units: set[str], as_of: date
) -> dict[int, tuple[frozenset[str], list[str]]]:
    """Groups that may be met by compensation: index -> (validated tokens consumed, compensated units)."""
    groups: dict[int, tuple[frozenset[str], list[str]]] = {}
    for node in nodes:
        rule = node.raw.get("compensation")
        if not rule or node.kind != "all":
            continue
        codes = [child.unit for child in node.children]
        if any(code not in held.best_grade for code in codes):
            continue
        below = [code for code in codes if code not in held.validated]
        if not below:
            continue  # met without compensation, or not at all
        weights = [Decimal(child.worth) for child in node.children]
        total_weight = sum(weights)
        if total_weight == 0:
            continue
        average = (
            sum(held.best_grade[code] * weight for code, weight in zip(codes, weights, strict=True)) / total_weight
        )
        if average < Decimal(str(rule["min_average"])):
            continue
        floor = Decimal(str(rule.get("floor", 0) or 0))
        if any(held.best_grade[code] < floor for code in codes):
            continue
        within = rule.get("within_years")
        if within:
            dates = [day for code in tree_units for day in held.validated_dates.get(code, ())]
            if dates and as_of > _add_years(min(dates), within):
                continue
        groups[node.index] = (frozenset(code for code in codes if code in held.validated), below)
    return groups


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class _Report:
    """Reads statuses and ECTS off the final allocation, node by node."""

    def __init__(self, units, held, state, assignment, compensated, compensation):
        self.units = units
        self.held = held
        self.state = state
        self.assignment = assignment
        self.compensated_units: dict[int, set[str]] = {
            group_index: set(compensation[group_index][1]) for group_index in compensated
        }

    def tree(self, root: Node) -> dict[str, Any]:
        return self._node(root, frozenset())[0]

    def _node(
        self, node: Node, compensated_here: frozenset[str]
    ) -> tuple[dict[str, Any], bool, bool, int, int, int, int]:
        """(JSON, met, met if registered units pass, worth, worth if they pass, earned, in progress);
        ECTS in halves."""
        if node.kind == "unit":
            return self._leaf(node, compensated_here)
        if node.index in self.compensated_units:
            compensated_here = compensated_here | self.compensated_units[node.index]
        rows = [self._node(child, compensated_here) for child in node.children]
        if node.kind == "all":
            met = all(row[1] for row in rows)
            met_opt = all(row[2] for row in rows)
        else:
            met = (
                sum(1 for row in rows if row[1]) >= node.choose
                and sum(row[3] for row in rows if row[1]) >= node.credits
            )
            met_opt = (
                sum(1 for row in rows if row[2]) >= node.choose
                and sum(row[4] for row in rows if row[2]) >= node.credits
            )
        earned = sum(row[5] for row in rows)
        in_progress = sum(row[6] for row in rows)
        out: dict[str, Any] = {"label": node.raw.get("label"), "kind": node.kind}
        if node.choose:
            out["choose"] = node.choose
        if "credits" in node.raw:
            out["credits"] = _number(node.credits)
        out["status"] = "met" if met else "in_progress" if met_opt else "unmet"
        out["earned_ects"] = _number(earned)
        out["in_progress_ects"] = _number(in_progress)
        out["applied"] = []
        out["children"] = [row[0] for row in rows]
        worth = sum(row[3] for row in rows if row[1])
        worth_opt = sum(row[4] for row in rows if row[2])
        return out, met, met_opt, worth, worth_opt, earned, in_progress

    def _leaf(
        self, node: Node, compensated_here: frozenset[str]
    ) -> tuple[dict[str, Any], bool, bool, int, int, int, int]:
        applied: list[dict[str, Any]] = []
        validated = registered = False
        if node.unit in compensated_here:
            validated = True
            applied.append(
                {
                    "unit": node.unit,
                    "via": "compensation",
                    "ects": _number(node.worth),
                    "grade": float(self.held.best_grade[node.unit]),
                }
            )
        elif node.index in self.assignment:
            tokens, via = self.assignment[node.index]
            registered = any(self.state[t] == REGISTERED for t in tokens)
            validated = not registered
            for token in sorted(tokens):
                entry: dict[str, Any] = {"unit": token, "via": via}
                if via == "equivalence":
                    entry["ects"] = _number(_half_units(self.units[token].ects))
                    entry["for"] = node.unit
                elif via == "substitution":
                    entry["ects"] = _number(node.worth)
                    entry["for"] = node.unit
                else:
                    entry["ects"] = _number(node.worth)
                if self.state[token] == REGISTERED:
                    entry["in_progress"] = True
                applied.append(entry)
        worth = node.worth
        out = {
            "label": node.raw.get("label"),
            "kind": "unit",
            "unit": node.unit,
            "status": "met" if validated else "in_progress" if registered else "unmet",
            "earned_ects": _number(worth) if validated else 0,
            "in_progress_ects": _number(worth) if registered else 0,
            "applied": applied,
            "children": [],
        }
        met_opt = validated or registered
        return (
            out,
            validated,
            met_opt,
            worth if validated else 0,
            worth if met_opt else 0,
            worth if validated else 0,
            worth if registered else 0,
        )


def rank(
    programs: Iterable[ProgramDef],
    units: Mapping[str, UnitDef],
    equivalences: Sequence[EquivalenceDef],
    record: LearnerRecord,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    from lms.progress.audit.explore import rank as ranked  # the same ranking, keeping each audit

    return [entry.row for entry in ranked(programs, units, equivalences, record, as_of)]
