"""The exact allocation: the minimum-cost way to meet the root, for one assignment of token costs.

Each node's *menu* lists its Pareto-optimal ways to be met (:class:`Entry`: the contested tokens
it uses, one bit each, its cost and worth). A group combines its children's menus, keeping
combinations whose bits are disjoint, and drops any way beaten on every count (:func:`pareto`).
:func:`solve_exact` finds the contested tokens by relaxation; :func:`unfold` gives leaf assignments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import ge
from typing import NamedTuple, TypeAlias, TypeVar

from lms.progress.audit.holdings import Compensation
from lms.progress.audit.shape import Node, Option, Shape

# Costs are one integer: ects << SHIFT | penalties << PENALTY_SHIFT | tie-breaks, so that
# comparing integers compares (ECTS, penalties, tie-breaks) lexicographically. A penalty is paid
# for every token that is not validated, even a 0-ECTS one: a solution below PENALTY_UNIT uses
# validated tokens only. Tie-breaks (below PENALTY_UNIT in total) only order equal solutions.
SHIFT = 40
PENALTY_SHIFT = 20
PENALTY_UNIT = 1 << PENALTY_SHIFT
REGISTERED_PENALTY = PENALTY_UNIT
HYPOTHETICAL_PENALTY = 2 * PENALTY_UNIT  # a registered unit is a better way forward than an untaken one
FORBIDDEN = None  # the cost of a token that may not be used

# Dominance checks are quadratic; above this size they cost more than the entries they remove.
# Skipping them keeps extra entries, never loses one: the result stays exact.
PRUNE_LIMIT = 48


# A menu entry is one object: entries are made by the thousand per audit, and slotted dataclasses
# are the cheapest objects with named fields to create.
@dataclass(slots=True)
class Entry:
    """One way to meet a node: an entry of its menu."""

    bits: int  # the contested tokens it uses
    cost: int
    worth: int  # the node's ECTS in halves, when an ancestor's credits condition needs it (else 0)


@dataclass(slots=True)
class LeafEntry(Entry):
    """A leaf met by one of its options."""

    leaf: int  # node index
    option: int  # position in the leaf's options


@dataclass(slots=True)
class CompensationEntry(Entry):
    """A group met as a whole by compensation."""

    group: int  # node index


@dataclass(slots=True)
class GroupEntry(Entry):
    """A group met by the entries picked for some of its children."""

    picks: Picks


# The entries picked for a group's children, as a linked list that the group's partial states
# share: (earlier picks, entry), or None when nothing is picked yet.
Picks: TypeAlias = "tuple[Picks, Entry] | None"

T = TypeVar("T")


def pareto(ways: list[T], measure: Callable[[T], tuple[int, int, tuple[int, ...]]]) -> list[T]:
    """The ways no other beats. ``measure(way)`` is (contested bits, cost, amounts); a way beats
    another when it uses a subset of its bits, costs no more and has at least each amount (worth,
    count of children met). The cheapest come first; ties keep their order."""
    if len(ways) <= 1 or len(ways) > PRUNE_LIMIT:
        return ways
    measured = sorted(
        ((measure(way), way) for way in ways),
        key=lambda item: (item[0][1], [-amount for amount in item[0][2]], item[0][0].bit_count()),
    )
    kept: list[tuple[int, tuple[int, ...], T]] = []
    for (bits, _cost, amounts), way in measured:
        for other_bits, other_amounts, _way in kept:
            if (other_bits & ~bits) == 0 and all(map(ge, other_amounts, amounts)):
                break
        else:
            kept.append((bits, amounts, way))
    return [way for _bits, _amounts, way in kept]


def _entry_measure(entry: Entry) -> tuple[int, int, tuple[int, ...]]:
    return entry.bits, entry.cost, (entry.worth,)


def _state_measure(item: tuple[tuple[int, ...], tuple[int, Picks]]) -> tuple[int, int, tuple[int, ...]]:
    (bits, *amounts), (cost, _picks) = item
    return bits, cost, tuple(amounts)


def _pareto_states(states: dict[tuple[int, ...], tuple[int, Picks]]) -> dict[tuple[int, ...], tuple[int, Picks]]:
    """:func:`pareto` over partial states ``(bits, *amounts) -> (cost, picks)``."""
    if len(states) <= 1 or len(states) > PRUNE_LIMIT:
        return states
    return dict(pareto(list(states.items()), _state_measure))


class Solver:
    """Minimum-cost way to meet the root, for one assignment of token costs and contested bits."""

    def __init__(
        self,
        root: Node,
        options: Sequence[list[Option]],
        token_cost: Mapping[str, int | None],
        bits: Mapping[str, int],
        local: Sequence[int],
        compensation: Mapping[int, Compensation],
    ):
        self.root = root
        self.options = options  # per node index: the leaf's options
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

    def bits_of(self, tokens: Iterable[str]) -> int:
        if not self.bits:  # the first round: nothing contested yet
            return 0
        bits = 0
        for token in tokens:
            bits |= self.bits.get(token, 0)
        return bits

    def solve(self) -> Entry | None:
        """The root's cheapest entry, or None when the root cannot be met at all."""
        menu = self.menu(self.root)
        return min(menu, key=lambda entry: entry.cost) if menu else None

    def menu(self, node: Node) -> list[Entry]:
        """Pareto-optimal ways to meet ``node``."""
        if node.kind == "unit":
            return self._leaf(node)
        child_menus = [self.menu(child) for child in node.children]
        entries = self._all(node, child_menus) if node.kind == "all" else self._choose(node, child_menus)
        if node.index in self.compensation:
            tokens = self.compensation[node.index].tokens
            cost = self.option_cost(tokens)
            if cost is not None:
                worth = sum(child.worth for child in node.children) if node.needs_worth else 0
                entries.append(CompensationEntry(self.bits_of(tokens), cost, worth, node.index))
        if self.local[node.index]:
            entries = _forget(entries, ~self.local[node.index])
        return pareto(entries, _entry_measure)

    def _leaf(self, node: Node) -> list[Entry]:
        worth = node.worth if node.needs_worth else 0
        own = self.options[node.index]
        if len(own) == 1 and own[0].worth is None:  # the common case: the unit itself
            cost = self.option_cost(own[0].tokens)
            if cost is None:
                return []
            return [LeafEntry(self.bits_of(own[0].tokens), cost + node.tiebreak, worth, node.index, 0)]
        entries = []
        for position, option in enumerate(own):
            cost = self.option_cost(option.tokens)
            if cost is not None:
                value = worth if option.worth is None or not node.needs_worth else option.worth  # a decided worth
                entry = LeafEntry(self.bits_of(option.tokens), cost + node.tiebreak, value, node.index, position)
                entries.append(entry)
        return pareto(entries, _entry_measure)

    def _all(self, node: Node, child_menus: list[list[Entry]]) -> list[Entry]:
        """Every child met: states (bits, worth) -> (cost, picks), one child after the other."""
        states: dict[tuple[int, int], tuple[int, Picks]] = {(0, 0): (0, None)}
        for menu in child_menus:
            if not menu:
                return []
            if len(menu) == 1 and menu[0].bits == 0:  # the common case: no contested token
                only = menu[0]
                states = {
                    (bits, worth + only.worth): (cost + only.cost, (picks, only))
                    for (bits, worth), (cost, picks) in states.items()
                }
                continue
            grown: dict[tuple[int, int], tuple[int, Picks]] = {}
            for (bits, worth), (cost, picks) in states.items():
                for entry in menu:
                    if bits & entry.bits:
                        continue
                    state = (bits | entry.bits, worth + entry.worth)
                    total = cost + entry.cost
                    known = grown.get(state)  # (cost, picks)
                    if known is None or total < known[0]:
                        grown[state] = (total, (picks, entry))
            states = _pareto_states(grown)
        return [
            GroupEntry(bits, cost, worth if node.needs_worth else 0, picks)
            for (bits, worth), (cost, picks) in states.items()
        ]

    def _choose(self, node: Node, child_menus: list[list[Entry]]) -> list[Entry]:
        """``choose`` children met and ``credits`` of worth: the cheapest ways, by three methods
        from the most common case to the general one."""
        if not node.needs_worth and all(len(menu) <= 1 and (not menu or menu[0].bits == 0) for menu in child_menus):
            # Independent children, and only this group's own condition counts their worth.
            return _knapsack(node, child_menus) if node.credits else _cheapest_children(node, child_menus)
        return self._combine(node, child_menus)

    def _combine(self, node: Node, child_menus: list[list[Entry]]) -> list[Entry]:
        """The general case: states (bits, children met, worth) -> (cost, picks)."""
        need_count, need_worth = node.choose, node.credits
        cap_worth = not node.needs_worth  # the group's worth only matters for its own threshold
        # What the children after each position can still add at best: a state that cannot reach
        # the group's need even so is dropped at once (it could never be completed).
        reach_count = [0] * (len(child_menus) + 1)
        reach_worth = [0] * (len(child_menus) + 1)
        for position in range(len(child_menus) - 1, -1, -1):
            menu = child_menus[position]
            reach_count[position] = reach_count[position + 1] + (1 if menu else 0)
            reach_worth[position] = reach_worth[position + 1] + max((entry.worth for entry in menu), default=0)
        states: dict[tuple[int, int, int], tuple[int, Picks]] = {(0, 0, 0): (0, None)}
        for position, menu in enumerate(child_menus):
            if not menu:
                continue
            grown = dict(states)  # every state may leave this child unmet
            for (bits, count, worth), (cost, picks) in states.items():
                for entry in menu:
                    if bits & entry.bits:
                        continue
                    new_worth = worth + entry.worth
                    if cap_worth and new_worth > need_worth:
                        new_worth = need_worth
                    state = (bits | entry.bits, count + 1 if count < need_count else need_count, new_worth)
                    total = cost + entry.cost
                    known = grown.get(state)  # (cost, picks)
                    if known is None or total < known[0]:
                        grown[state] = (total, (picks, entry))
            after = position + 1
            if need_count or need_worth:
                grown = {
                    (bits, count, worth): value
                    for (bits, count, worth), value in grown.items()
                    if count + reach_count[after] >= need_count and worth + reach_worth[after] >= need_worth
                }
            states = _pareto_states(grown)
        return [
            GroupEntry(bits, cost, worth if node.needs_worth else 0, picks)
            for (bits, count, worth), (cost, picks) in states.items()
            if count >= need_count and worth >= need_worth
        ]


def _cheapest_children(node: Node, child_menus: list[list[Entry]]) -> list[Entry]:
    """The common case "choose N of independent children": the N cheapest (the first on a tie)."""
    cheapest = sorted((menu[0] for menu in child_menus if menu), key=lambda entry: entry.cost)[: node.choose]
    if len(cheapest) < node.choose:
        return []
    picks: Picks = None
    for entry in cheapest:
        picks = (picks, entry)
    return [GroupEntry(0, sum(entry.cost for entry in cheapest), 0, picks)]


def _knapsack(node: Node, child_menus: list[list[Entry]]) -> list[Entry]:
    """Independent children under a credits condition: a small knapsack on (children met, worth),
    both capped at the need."""
    need_count, need_worth = node.choose, node.credits
    table: dict[tuple[int, int], tuple[int, Picks]] = {(0, 0): (0, None)}
    for menu in child_menus:
        if not menu:
            continue
        entry = menu[0]
        for (count, worth), (cost, picks) in list(table.items()):
            new_worth = worth + entry.worth  # counts and worth capped at the need (no min(): a hot loop)
            state = (
                count + 1 if count < need_count else need_count,
                new_worth if new_worth < need_worth else need_worth,
            )
            total = cost + entry.cost
            known = table.get(state)  # (cost, picks)
            if known is None or total < known[0]:
                table[state] = (total, (picks, entry))
    done = table.get((need_count, need_worth))
    if done is None:
        return []
    cost, picks = done
    return [GroupEntry(0, cost, 0, picks)]


def _forget(entries: list[Entry], keep: int) -> list[Entry]:
    """No leaf outside this subtree can use the tokens outside ``keep``: forget their bits and
    keep the cheapest entry of each state. The entries are the node's own, just made: their bits
    are narrowed in place."""
    best: dict[tuple[int, int], Entry] = {}
    for entry in entries:
        entry.bits &= keep
        state = (entry.bits, entry.worth)
        known = best.get(state)
        if known is None or entry.cost < known.cost:
            best[state] = entry
    return list(best.values())


def unfold(entry: Entry) -> tuple[dict[int, int], set[int]]:
    """The leaves an entry assigns (leaf index -> option position) and the groups it compensates."""
    chosen: dict[int, int] = {}
    compensated: set[int] = set()
    stack = [entry]
    while stack:
        entry = stack.pop()
        if type(entry) is LeafEntry:
            chosen[entry.leaf] = entry.option
        elif type(entry) is CompensationEntry:
            compensated.add(entry.group)
        else:
            picks = entry.picks
            while picks is not None:
                picks, picked = picks
                stack.append(picked)
    return chosen, compensated


class Solution(NamedTuple):
    """The minimum cost of meeting the root, with its leaf assignments and compensated groups."""

    cost: int
    chosen: dict[int, int]  # leaf index -> option position
    compensated: set[int]  # group indexes


def solve_exact(
    shape: Shape,
    options: Sequence[list[Option]],
    compensation: Mapping[int, Compensation],
    cost: Mapping[str, int | None],
    users: Mapping[str, set[int]],
) -> Solution | None:
    """The minimum-cost allocation, or None when the root cannot be met.

    Tokens are first treated as if each user had its own copy (a relaxation: its minimum is a
    lower bound). When the best solution uses a token twice, that token becomes *contested*
    (tracked by a bit, so no two parts of one solution may share it) and the tree is solved
    again. A solution that uses no token twice is optimal for the real problem too, since the
    relaxation only ever allowed more. Conflicts are rare in practice, so few rounds are needed.
    """
    contested: list[str] = []
    while True:
        bits = {token: 1 << i for i, token in enumerate(contested)}
        local = _local_bits(shape.groups, contested, bits, users, len(options))
        best = Solver(shape.root, options, cost, bits, local, compensation).solve()
        if best is None:
            return None
        chosen, compensated = unfold(best)
        conflicts = _used_twice(chosen, compensated, options, compensation)
        if not conflicts:
            return Solution(best.cost, chosen, compensated)
        contested += conflicts


def _local_bits(
    groups: Sequence[Node], contested: Sequence[str], bits: Mapping[str, int], users: Mapping[str, set[int]], size: int
) -> list[int]:
    """Per node index: the bits of the contested tokens all of whose users are in its subtree."""
    local = [0] * size
    for node in groups:
        for token in contested:
            ids = users[token]
            if min(ids) >= node.index and max(ids) < node.end:
                local[node.index] |= bits[token]
    return local


def _used_twice(
    chosen: Mapping[int, int],
    compensated: Iterable[int],
    options: Sequence[list[Option]],
    compensation: Mapping[int, Compensation],
) -> list[str]:
    uses: dict[str, int] = defaultdict(int)
    for leaf_index, position in chosen.items():
        for token in options[leaf_index][position].tokens:
            uses[token] += 1
    for group_index in compensated:
        for token in compensation[group_index].tokens:
            uses[token] += 1
    return sorted(token for token, count in uses.items() if count > 1)
