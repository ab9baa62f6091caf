"""The audit engine (formats.md sections 2 to 4): :func:`audit`. Pure Python: no Flask, no database.

The phases of :func:`audit` live in their own modules: :mod:`.holdings` (what the learner holds,
as tokens, and how tokens meet leaves), :mod:`.shape` (the tree as flat nodes, cached per
programme version), :mod:`.solver` (the exact allocation) and :mod:`.report` (the result).
Ranking every programme is :mod:`.ranking`; comparing two audits is :mod:`.whatif`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from lms.progress.audit.definitions import EquivalenceDef, ProgramDef, UnitDef
from lms.progress.audit.holdings import (
    HYPOTHETICAL,
    REGISTERED,
    VALIDATED,
    Compensation,
    Holdings,
    compensation_groups,
    leaf_options,
    read_holdings,
    token_states,
    token_users,
)
from lms.progress.audit.numbers import half_units
from lms.progress.audit.records import LearnerRecord
from lms.progress.audit.report import report
from lms.progress.audit.shape import Option, Shape, shape_of
from lms.progress.audit.solver import (
    HYPOTHETICAL_PENALTY,
    PENALTY_UNIT,
    REGISTERED_PENALTY,
    SHIFT,
    Solution,
    solve_exact,
)


def audit(
    program: ProgramDef,
    units: Mapping[str, UnitDef],
    equivalences: Sequence[EquivalenceDef],
    record: LearnerRecord,
    as_of: date | None = None,
) -> dict[str, Any]:
    """The learner's progress toward ``program``: the JSON-ready audit result of formats.md section 3.

    ``program`` is a :class:`~lms.progress.audit.catalogue.ProgramDef` (requirements in normal
    form), ``units`` the whole catalogue by code, ``record`` a
    :class:`~lms.progress.audit.records.LearnerRecord`; ``as_of`` defaults to ``record.as_of``,
    else today. ECTS are ints, or floats for halves. Optional keys: ``to_complete`` (the units
    still to validate in the cheapest way to complete, registered ones first; their ECTS add up
    to ``missing_ects``), ``in_progress`` and ``for`` in applied entries, ``choose`` / ``credits``
    on groups.

    How it works, phase by phase (numbers are integers in half-ECTS units, so comparisons are exact):

    1. **Tokens** (:func:`~.holdings.read_holdings`, :func:`~.holdings.token_states`). Every unit
       the learner holds becomes one *token*: ``V`` when validated for this programme (grade >=
       pass mark, status validated, or a credit valid here, not expired by ``validity_years``),
       ``R`` when only registered. Every unit of the tree the learner does not hold validated
       gets a *hypothetical* token ``H``: "what if the learner validated it". Each token can be
       applied once in the whole tree.

    2. **Options** (:func:`~.holdings.leaf_options`, :func:`~.holdings.compensation_groups`). A
       leaf for unit ``u`` can be met by one *option*, a set of tokens it consumes: ``{u}``
       itself; ``{x}`` for a substitution "x stands for u"; or the source tokens of an
       equivalence whose ``counts_as`` is ``u``. A compensation group (licences) has one more
       option as a whole: meet every leaf at once, consuming the tokens of its validated units.

    3. **Costs** (:func:`_missing_costs`, :func:`_optimistic_costs`). "What is the least ECTS
       still to validate" becomes a minimum-cost problem: ``V`` tokens cost 0, ``R`` and ``H``
       tokens cost their unit's ECTS. The root can be met at cost 0 exactly when the programme is
       complete, and the minimum cost is ``missing_ects``. A second run where ``R`` costs 0 and
       ``H`` is forbidden tells whether the programme is ``in_progress`` (:func:`_verdict`).

    4. **Search** (:func:`~.solver.solve_exact`). Most tokens can serve a single leaf; they never
       conflict, so each leaf simply takes its cheapest option. Only *contested* tokens (usable by
       two leaves or more: a unit listed in two groups, an equivalence source that is also a leaf,
       a substitute that is also a leaf) make the problem combinatorial. Each contested token gets
       a bit. The tree is solved bottom-up: each node returns its *menu*, the Pareto-optimal ways
       to meet it, each (bits of contested tokens used, cost, worth); a group combines its
       children's menus, keeping only combinations whose bit sets are disjoint (no token used
       twice), and drops any way that another way beats on every count (fewer tokens, lower cost,
       at least the same worth). ``worth`` (the ECTS of a met node) is tracked only below a
       ``credits`` group, where it matters. This is dynamic programming over the tree with the
       contested tokens as state: exact (every allocation is represented by an entry at least as
       good), and fast because real programmes have few contested tokens.

    5. **Report** (:func:`_allocate`, :func:`~.report.report`). The best menu entry of the root
       is unfolded into leaf assignments; hypothetical tokens are dropped (those leaves are what
       is missing); remaining validated and registered tokens are applied to leaves still open,
       so the learner sees everything that counts; node statuses, ``earned_ects``,
       ``in_progress_ects`` and ``unused`` are read off that allocation.
    """
    as_of = as_of or record.as_of or date.today()
    held = read_holdings(program, units, record, as_of)
    shape = shape_of(program, units)
    state = token_states(held, shape.tree_units)
    options = leaf_options(shape, held, state, equivalences)
    compensation = compensation_groups(shape, held, as_of)
    verdict = _verdict(shape, units, state, options, compensation)
    allocation = _allocate(shape, held, state, options, verdict.solution)
    return report(
        program,
        shape,
        units,
        held,
        state,
        compensation,
        as_of=as_of,
        status=verdict.status,
        missing=verdict.missing,
        to_complete=verdict.to_complete,
        assignment=allocation.assignment,
        compensated=allocation.compensated,
        used=allocation.used,
    )


# --- 3 and 4: costs and search ------------------------------------------------------------------


class Verdict(NamedTuple):
    status: str  # complete | in_progress | incomplete
    missing: int | None  # ECTS in halves still to validate at least; None: cannot be completed
    to_complete: list[str]  # the units of the cheapest completion not yet validated
    solution: Solution | None  # the allocation to report (the optimistic one when in progress)


def _missing_costs(shape: Shape, units: Mapping[str, UnitDef], state: Mapping[str, str]) -> dict[str, int]:
    """Run A, what is missing: V free; R and H cost their ECTS (H a little more, so that a tie
    shows the registered unit as the way forward). Units outside the tree cannot be among the
    missing: a registered one is not usable here."""

    def ects(code: str) -> int:  # a tree unit or slot (a slot may be worth 0), else a unit held
        return shape.ects[code] if code in shape.ects else half_units(units[code].ects)

    return {
        code: 0
        if s == VALIDATED
        else (ects(code) << SHIFT) + (HYPOTHETICAL_PENALTY if s == HYPOTHETICAL else REGISTERED_PENALTY)
        for code, s in state.items()
        if s == VALIDATED or code in shape.tree_units
    }


def _optimistic_costs(state: Mapping[str, str]) -> dict[str, int]:
    """Run B, would it be met if every registered unit were validated: R free (but dearer than V
    as a tie-break), H forbidden (absent)."""
    return {code: 0 if s == VALIDATED else REGISTERED_PENALTY for code, s in state.items() if s != HYPOTHETICAL}


def _verdict(
    shape: Shape,
    units: Mapping[str, UnitDef],
    state: Mapping[str, str],
    options: Sequence[list[Option]],
    compensation: Mapping[int, Compensation],
) -> Verdict:
    users = token_users(shape, options, compensation)
    best = solve_exact(shape, options, compensation, _missing_costs(shape, units, state), users)
    missing = None if best is None else best.cost >> SHIFT
    to_complete = [] if best is None else _still_needed(best.chosen, options, state)
    if best is not None and best.cost < PENALTY_UNIT:
        return Verdict("complete", missing, to_complete, best)
    # Run B may succeed where run A cannot: a registered unit outside the tree is usable in B
    # (an equivalence source, a substitute). Without a usable registered unit it is run A's answer.
    if any(state[token] == REGISTERED for token in users) and _may_be_met_without_hypotheses(
        shape, state, options, compensation, users
    ):
        optimistic = solve_exact(shape, options, compensation, _optimistic_costs(state), users)
        if optimistic is not None:
            return Verdict("in_progress", missing, to_complete, optimistic)
    return Verdict("incomplete", missing, to_complete, best)


def _may_be_met_without_hypotheses(
    shape: Shape,
    state: Mapping[str, str],
    options: Sequence[list[Option]],
    compensation: Mapping[int, Compensation],
    users: Mapping[str, set[int]],
) -> bool:
    """False when run B cannot succeed, told without running it: every met leaf consumes a token
    of its own (each token is applied once), so the root needs at least ``shape.fewest`` validated
    or registered tokens. Most incomplete learners hold far fewer. Not told (True) when a group may
    be compensated or an option consumes no token."""
    if compensation:
        return True
    usable = sum(1 for token in users if state[token] != HYPOTHETICAL)
    if usable >= shape.fewest:
        return True
    return any(not option.tokens for own in options for option in own)


def _still_needed(chosen: Mapping[int, int], options: Sequence[list[Option]], state: Mapping[str, str]) -> list[str]:
    """The units not yet validated in the cheapest way to complete the programme (their ECTS add
    up to ``missing_ects``): the learner's next steps, registered units first."""
    needed = {
        token
        for leaf_index, position in chosen.items()
        for token in options[leaf_index][position].tokens
        if state[token] != VALIDATED
    }
    return sorted(needed, key=lambda code: (state[code] != REGISTERED, code))


# --- 5: the allocation reported ---------------------------------------------------------------------


class Allocation(NamedTuple):
    assignment: dict[int, Option]  # leaf index -> option applied
    compensated: set[int]  # groups met by compensation
    compensated_leaves: set[int]  # their leaves met by compensation
    used: set[str]  # tokens applied somewhere


def _allocate(
    shape: Shape,
    held: Holdings,
    state: Mapping[str, str],
    options: Sequence[list[Option]],
    solution: Solution | None,
) -> Allocation:
    """Unfold the chosen allocation; drop hypothetical tokens; then apply what is left."""
    allocation = Allocation({}, set(solution.compensated) if solution else set(), set(), set())
    assignment, used = allocation.assignment, allocation.used
    for group_index in allocation.compensated:  # validated units by their own result, the others by compensation
        for child in shape.nodes[group_index].children:
            if child.unit in held.validated:
                assignment[child.index] = Option(frozenset((child.unit,)), held.validated[child.unit])
                used.add(child.unit)
            else:
                allocation.compensated_leaves.add(child.index)
    settled = allocation.compensated_leaves
    for leaf_index, position in (solution.chosen if solution else {}).items():
        if leaf_index in assignment or leaf_index in settled:
            continue
        option = options[leaf_index][position]
        if any(state[token] == HYPOTHETICAL for token in option.tokens):
            continue
        assignment[leaf_index] = option
        used |= option.tokens
    for leaf in shape.leaves:  # everything else that can count, where it can
        if leaf.index in assignment or leaf.index in settled:
            continue
        own = options[leaf.index]
        for option in own if len(own) <= 1 else sorted(own, key=lambda o: _preference(o, state)):
            if option.tokens & used or any(state[token] == HYPOTHETICAL for token in option.tokens):
                continue
            assignment[leaf.index] = option
            used |= option.tokens
            break
    return allocation


VIA_PREFERENCE = {"result": 0, "credit": 0, "substitution": 1, "equivalence": 2}


def _preference(option: Option, state: Mapping[str, str]) -> tuple[int, int, int]:
    """Leftover tokens go first to options with fewer registered units, then by their own unit,
    a substitution, an equivalence, then with fewer tokens."""
    registered = sum(state[token] == REGISTERED for token in option.tokens)
    return (registered, VIA_PREFERENCE[option.via], len(option.tokens))
