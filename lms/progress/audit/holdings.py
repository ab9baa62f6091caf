"""What the learner holds for one programme at one date, as tokens, and how tokens can meet leaves.

- :func:`read_holdings`: the record's results, credits and substitutions that count here (unknown
  units ignored with a warning, results and credits older than the programme's validity dropped);
- :func:`standing`: whether one unit is validated or registered for, there;
- :func:`token_states`: each unit held becomes a token ``V`` (validated) or ``R`` (registered);
  each unit of the tree not held gets a hypothetical token ``H``;
- :func:`leaf_options`: the sets of tokens that can meet each leaf (the unit itself, a
  substitute, the sources of an equivalence);
- :func:`compensation_groups`: the licence groups that the grades allow to meet by compensation;
- :func:`token_users`: which leaves and groups may use each token.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from lms.progress.audit.definitions import EquivalenceDef, ProgramDef, UnitDef
from lms.progress.audit.numbers import half_units, shift_years
from lms.progress.audit.records import LearnerRecord
from lms.progress.audit.shape import Option, Shape

VALIDATED, REGISTERED, HYPOTHETICAL = "V", "R", "H"


@dataclass
class Holdings:
    """What the record says about each unit, for one programme at one date."""

    validated: dict[str, str] = field(default_factory=dict)  # unit -> "result" | "credit"
    registered: set[str] = field(default_factory=set)
    best_grade: dict[str, Decimal] = field(default_factory=dict)
    validated_dates: dict[str, list[date]] = field(default_factory=lambda: defaultdict(list))
    substitutes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # replaced -> [x]
    counted_ects: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (replaced, x) -> decided ECTS
    warnings: list[str] = field(default_factory=list)


def read_holdings(program: ProgramDef, units: Mapping[str, UnitDef], record: LearnerRecord, as_of: date) -> Holdings:
    """The results, credits and substitutions of ``record`` that count for ``program`` on ``as_of``."""
    held = Holdings()
    cutoff = shift_years(as_of, -program.validity_years) if program.validity_years else None
    unknown: set[str] = set()

    # The checks are written out, not in helpers: this loop runs for every result of every audit.
    for result in record.results:
        if result.unit not in units:
            unknown.add(result.unit)
            continue
        if cutoff is not None and result.date is not None and result.date < cutoff:
            continue  # too old for this programme
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
        if credit.unit not in units:
            unknown.add(credit.unit)
            continue
        if cutoff is not None and credit.date is not None and credit.date < cutoff:
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
        if exception.substitute not in units:
            unknown.add(exception.substitute)
        elif exception.replaces not in units and exception.replaces not in program.slots:
            unknown.add(exception.replaces)
        else:
            held.substitutes[exception.replaces].append(exception.substitute)
            if exception.ects is not None:
                held.counted_ects[(exception.replaces, exception.substitute)] = exception.ects
    held.warnings = [f"unknown unit {code}: ignored" for code in sorted(unknown)]
    return held


def standing(held: Holdings, code: str) -> str | None:
    """What the record says of one unit for this programme: ``V`` validated, ``R`` registered for
    (under way, not validated), None neither (what a substitute must be, see the decisions)."""
    if code in held.validated:
        return VALIDATED
    return REGISTERED if code in held.registered else None


def token_states(held: Holdings, tree_units: set[str]) -> dict[str, str]:
    """Every token and its state: ``V`` validated, ``R`` registered, ``H`` a tree unit not held."""
    state: dict[str, str] = {}
    for code in held.validated:
        state[code] = VALIDATED
    for code in held.registered:
        state[code] = REGISTERED
    for code in tree_units:
        state.setdefault(code, HYPOTHETICAL)
    return state


def leaf_options(
    shape: Shape, held: Holdings, state: Mapping[str, str], equivalences: Sequence[EquivalenceDef]
) -> list[list[Option]]:
    """The options of each leaf, indexed by node index (empty for groups): the unit itself, then
    its substitutes (worth the ECTS their decision counts, when it says), then the equivalences
    that count as it, whose sources are all tokens."""
    counts_as: dict[str, list[EquivalenceDef]] = defaultdict(list)
    for equivalence in equivalences:
        counts_as[equivalence.counts_as].append(equivalence)
    options: list[list[Option]] = [[] for _ in shape.nodes]
    for leaf in shape.leaves:
        own = options[leaf.index]
        if leaf.unit in shape.own_options:
            own.append(shape.own_options[leaf.unit][held.validated.get(leaf.unit, "result")])
        for substitute in held.substitutes.get(leaf.unit, ()):
            if substitute in state and substitute != leaf.unit:
                counted = held.counted_ects.get((leaf.unit, substitute))
                worth = None if counted is None else half_units(counted)
                own.append(Option(frozenset((substitute,)), "substitution", worth))
        for equivalence in counts_as.get(leaf.unit, ()):
            if all(source in state for source in equivalence.units):
                own.append(Option(frozenset(equivalence.units), "equivalence"))
    return options


class Compensation(NamedTuple):
    """A group met by compensation: the validated tokens it consumes, and the units compensated."""

    tokens: frozenset[str]
    below: list[str]


def compensation_groups(shape: Shape, held: Holdings, as_of: date) -> dict[int, Compensation]:
    """The groups that may be met by compensation on the learner's actual grades, by node index."""
    groups: dict[int, Compensation] = {}
    for node in shape.groups:
        rule = node.compensation
        if rule is None:
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
        if average < rule.min_average:
            continue
        if any(held.best_grade[code] < rule.floor for code in codes):
            continue
        if rule.within_years:
            dates = [day for code in shape.tree_units for day in held.validated_dates.get(code, ())]
            if dates and as_of > shift_years(min(dates), rule.within_years):
                continue
        groups[node.index] = Compensation(frozenset(code for code in codes if code in held.validated), below)
    return groups


def token_users(
    shape: Shape, options: Sequence[list[Option]], compensation: Mapping[int, Compensation]
) -> dict[str, set[int]]:
    """Who may use each token (node indexes): leaves through their options, compensation groups
    as a whole. A token with two users or more is what makes the allocation combinatorial."""
    users: dict[str, set[int]] = defaultdict(set)
    for leaf in shape.leaves:
        for option in options[leaf.index]:
            for token in option.tokens:
                users[token].add(leaf.index)
    for group_index, group in compensation.items():
        for token in group.tokens:
            users[token].add(group_index)
    return users
