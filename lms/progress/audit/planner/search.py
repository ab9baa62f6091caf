"""The planner's search for the earliest plan (see the package docstring for its guarantee)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from lms.progress.audit.definitions import EquivalenceDef, ProgramDef, UnitDef, unit_codes
from lms.progress.audit.planner.completion import Completes, held_units
from lms.progress.audit.planner.plans import Plan, PlannedTerm, PlannedUnit, Preferences, Problem, Slot
from lms.progress.audit.planner.scheduler import Budget, BudgetExceeded, Scheduler, SlotOption
from lms.progress.audit.planner.terms import Term, occupies, term_at
from lms.progress.audit.records import LearnerRecord

HORIZON_YEARS = 12
SEARCH_BUDGET = 15_000

Schedule = dict[str, Slot | None]  # unit -> its offering (None: an activity validated by decision)


@dataclass(frozen=True)
class Bound:
    """Can the units chosen so far, plus the ``missing`` ECTS still needed at least, fit by term
    ``last``? Each course unit takes at least one place (units pace) or its ECTS (ECTS pace) out of
    the pace of the terms up to ``last``; activities take none, so their ECTS are deducted from
    what is missing. A necessary condition only: it prunes, the scheduler decides."""

    kind: str
    pace: Fraction
    ects: Mapping[str, Fraction]
    activities: set[str]
    activity_ects: Fraction
    biggest: Fraction
    reserved: Fraction = Fraction(0)  # the start term's pace the registered units take

    def possible(self, missing: Fraction | None, included: frozenset[str], last: int) -> bool:
        if missing is None:
            return False
        capacity = self.pace * (last + 1) - min(self.reserved, self.pace)
        course = [code for code in included if code not in self.activities]
        still = max(missing - self.activity_ects, Fraction(0))
        if self.kind == "ects":
            return sum((self.ects[code] for code in course), Fraction(0)) + still <= capacity
        if not still:
            return len(course) <= capacity
        if not self.biggest:
            return False
        return len(course) + -(-still // self.biggest) <= capacity


@dataclass
class _Offerings:
    """What the offerings allow for each unit still to validate."""

    options: dict[str, list[SlotOption]]  # unit -> acceptable offerings within the horizon, earliest first
    activities: set[str]  # UAs offered nowhere: validated by decision
    too_big: set[str]  # units with an offering whose load exceeds the pace


def _offerings(
    candidates: Iterable[str],
    units: Mapping[str, UnitDef],
    slots: Iterable[Slot],
    preferences: Preferences,
    start: Term,
    horizon: int,
) -> _Offerings:
    pace = Fraction(preferences.pace)
    all_slots: dict[str, list[Slot]] = {}
    for slot in slots:
        all_slots.setdefault(slot.unit, []).append(slot)
    found = _Offerings({}, set(), set())
    for code in candidates:
        if code not in all_slots:
            if units[code].kind == "UA":
                found.activities.add(code)
            found.options[code] = []
            continue
        own = []
        for slot in all_slots[code]:
            if not preferences.accepts(slot):
                continue
            terms = occupies(slot, start)
            if terms[0] < 0 or terms[-1] > horizon:
                continue
            if preferences.pace_kind == "ects":
                load = Fraction(str(units[code].ects)) / len(terms)
            else:
                load = Fraction(1)
            if load > pace:
                found.too_big.add(code)
                continue
            own.append(SlotOption(slot, terms, load))
        own.sort(key=lambda o: (o.terms[-1], o.slot.assumed, o.slot.semester == "A", o.slot.modality, o.slot.centre))
        found.options[code] = own
    return found


def plan(
    program: ProgramDef,
    units: Mapping[str, UnitDef],
    equivalences: Sequence[EquivalenceDef],
    record: LearnerRecord,
    slots: Iterable[Slot],
    preferences: Preferences,
    start: Term,
    pinned: Iterable[str] = (),
    removed: Iterable[str] = (),
    as_of: date | None = None,
    horizon_years: int = HORIZON_YEARS,
    registered_pace: bool = True,
) -> Plan:
    """The plan completing ``program`` at the earliest term (see the package docstring).

    ``registered_pace``: the units the record shows as registered take their place in the start
    term's pace (formats.md section 7: they are validated at the end of that term)."""
    as_of = as_of or record.as_of or date.today()
    completes = Completes(program, units, equivalences, record, as_of)
    if completes(frozenset()):
        return Plan(start=start, completion=None, already_complete=True, preferences=preferences)
    validated, registered = held_units(program, record)
    tree = [code for code in dict.fromkeys(unit_codes(program.requirements)) if code in units]
    removed = set(removed)
    pinned = [code for code in dict.fromkeys(pinned) if code in tree and code not in validated | registered]
    candidates = [code for code in tree if code not in validated and code not in registered]
    pace = Fraction(preferences.pace)
    horizon = 2 * horizon_years - 1  # last term index
    offerings = _offerings(candidates, units, slots, preferences, start, horizon)
    options, activities = offerings.options, offerings.activities
    reserved = _registered_load(registered, units, preferences.pace_kind) if registered_pace else Fraction(0)
    scheduler = Scheduler(options, pace, {0: reserved})

    def usable(code: str, last: int) -> bool:
        return code in activities or any(o.terms[-1] <= last for o in options[code])

    # Pinned units that can never be planned, and whether the programme can be completed at all.
    problems = [Problem("pinned_unavailable", code) for code in pinned if code in removed or not usable(code, horizon)]
    if problems:
        return Plan(start=start, problems=tuple(problems), preferences=preferences)
    reachable = frozenset(code for code in candidates if code not in removed and usable(code, horizon))
    if not completes(reachable):
        return Plan(
            start=start,
            problems=tuple(_why_not(completes, reachable, removed, offerings.too_big)),
            preferences=preferences,
        )

    # The engine's cheapest completion: tried first (include first), the rest exclude first.
    hint = set(completes.audit(frozenset())["to_complete"])
    # A lower bound on the pace needed (see Bound): skips hopeless terms and prunes the search.
    course = [code for code in reachable if code not in activities]
    bound = Bound(
        kind=preferences.pace_kind,
        pace=pace,
        ects={code: Fraction(str(units[code].ects)) for code in reachable},
        activities=activities,
        activity_ects=sum((Fraction(str(units[code].ects)) for code in reachable if code in activities), Fraction(0)),
        biggest=max((Fraction(str(units[code].ects)) for code in course), default=Fraction(0)),
        reserved=reserved,
    )
    budget = Budget(completes, scheduler, SEARCH_BUDGET)

    def attempt(last: int) -> Schedule | None:
        """A schedule completing by ``last``; None when there is none; BudgetExceeded."""
        if not bound.possible(completes.missing(frozenset(pinned)), frozenset(pinned), last):
            return None
        available = [code for code in candidates if code not in removed and usable(code, last)]
        if not completes(frozenset(available)) or any(not usable(code, last) for code in pinned):
            return None
        if scheduler.schedule([code for code in pinned if code not in activities], last) is None:
            return None
        rest = sorted(
            (code for code in available if code not in pinned),
            key=lambda code: (code not in hint, code in activities, len(options[code]), code),
        )
        return _search(completes, scheduler, activities, set(pinned), rest, last, hint, bound, budget)

    # First any plan within the horizon (loose capacity: found fast), then a plan ending one term
    # earlier than the best so far, until there is none: the best is then the earliest (a plan by
    # T is a plan by T + 1). Out of budget, the best plan found is kept, ``exact`` False.
    try:
        best = attempt(horizon)
    except BudgetExceeded:
        best = None
    if best is None:
        return Plan(start=start, problems=(Problem("no_schedule"),), exact=budget.left, preferences=preferences)
    exact = True
    while True:  # feasibility is monotone in the term: one term before the best, until none
        last = _last_term(best, start) - 1
        if last < 0:
            break
        try:
            found = attempt(last)
        except BudgetExceeded:
            exact = False
            break
        if found is None:
            break
        best = found
    return _make_plan(start, best, set(pinned), preferences, exact)


def _registered_load(registered: Iterable[str], units: Mapping[str, UnitDef], pace_kind: str) -> Fraction:
    """The place the registered units (of the catalogue) take in the start term's pace."""
    known = [code for code in registered if code in units]
    if pace_kind == "ects":
        return sum((Fraction(str(units[code].ects)) for code in known), Fraction(0))
    return Fraction(len(known))


def _last_term(found: Schedule, start: Term) -> int:
    return max((occupies(slot, start)[-1] for slot in found.values() if slot is not None), default=0)


def _search(
    completes: Completes,
    scheduler: Scheduler,
    activities: set[str],
    pinned: set[str],
    rest: list[str],
    last: int,
    hint: set[str],
    bound: Bound,
    budget: Budget,
) -> Schedule | None:
    """Depth-first over ``rest``, include or exclude each unit (the hinted ones included first)."""

    def dfs(included: frozenset[str], i: int, placed: dict[str, Slot]) -> Schedule | None:
        budget.check()
        if completes(included):
            return {code: placed.get(code) for code in included}
        if i == len(rest) or not bound.possible(completes.missing(included), included, last):
            return None
        code = rest[i]
        branches = ("in", "out") if code in hint else ("out", "in")
        for branch in branches:
            if branch == "in":
                chosen = included | {code}
                if code in activities:
                    result = dfs(chosen, i + 1, placed)
                else:
                    schedule = scheduler.schedule(chosen - activities, last)
                    result = None if schedule is None else dfs(chosen, i + 1, schedule)
            else:
                if not completes(included | frozenset(rest[i + 1 :])):
                    continue
                result = dfs(included, i + 1, placed)
            if result is not None:
                return result
        return None

    base = frozenset(pinned)
    placed = scheduler.schedule(base - activities, last) or {}
    return dfs(base, 0, placed)


def _why_not(completes: Completes, reachable: frozenset[str], removed: set[str], too_big: set[str]) -> list[Problem]:
    """The units of the engine's cheapest completion that the plan may not use, and why."""
    needed = completes.audit(frozenset())["to_complete"]
    problems = []
    for code in needed:
        if code in reachable:
            continue
        if code in completes.program.slots:  # no offering fills a free slot: only a director's decision
            problems.append(Problem("slot", code))
        elif code in removed:
            problems.append(Problem("removed", code))
        elif code in too_big:
            problems.append(Problem("too_big", code))
        else:
            problems.append(Problem("not_offered", code))
    return problems or [Problem("not_offered")]


def _make_plan(start: Term, found: Schedule, pinned: set[str], preferences: Preferences, exact: bool) -> Plan:
    by_term: dict[int, list[PlannedUnit]] = {}
    last = _last_term(found, start)
    for code, slot in sorted(found.items()):
        index = last if slot is None else occupies(slot, start)[0]
        by_term.setdefault(index, []).append(PlannedUnit(code, slot, code in pinned))
    terms = tuple(PlannedTerm(*term_at(index, start), units=tuple(by_term.get(index, ()))) for index in range(last + 1))
    return Plan(start=start, terms=terms, completion=term_at(last, start), exact=exact, preferences=preferences)
