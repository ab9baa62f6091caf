"""The study planner: a semester-by-semester plan that completes a programme at the learner's pace.

Pure Python: no Flask, no database. ``lms.progress.study_plans`` builds the inputs from the database.

API
---

    plan(program, units, equivalences, record, slots, preferences, start, pinned=(), removed=(),
         as_of=None, horizon_years=HORIZON_YEARS) -> Plan
    check_plan(schedule, program, units, equivalences, record, slots, start, as_of=None) -> list[Problem]
    extend_slots(slots, through_year) -> list[Slot]
    start_term(day) -> (year, semester)

Inputs
------

- ``slots``: the offerings the plan may use, as :class:`Slot` (unit, academic year, semester
  S1/S2/A, modality, centre, offering id or None when *assumed*). :func:`extend_slots` repeats the
  latest published year of each unit yearly up to a horizon, flagged ``assumed`` ("not yet
  published"): the Cnam publishes one year at a time and most units come back every year.
- ``preferences``: pace (``units`` or ``ects`` per semester), acceptable modalities and centres
  (an empty set accepts every value).
- ``pinned`` units must be in the plan; ``removed`` units never are.

Rules and choices
-----------------

- A term is a semester: (academic year, ``S1``) then (year, ``S2``). The plan starts at ``start``
  (:func:`start_term`: the next semester one can still register for).
- A unit is planned on one of its acceptable offerings in that offering's semester. An annual
  (``A``) offering is taught over both semesters of its year: it takes one place in *each*
  semester's pace (with an ECTS pace, half its ECTS in each) and is completed at the end of S2.
- Registered units (under way) are assumed to pass. Activities (UA) that have no offering at all
  (professional experience, mémoire...) are validated by decision, not taught: they are planned
  in the completion term, outside the pace.
- A plan *completes* the programme when the audit engine says ``complete`` for the record with
  every planned unit (and every registered one) validated.

Guarantee
---------

Dropping units from a feasible schedule keeps it feasible, completeness is monotone in the
validated units, and a schedule ending by term T also ends by T + 1. So the planner (1) finds any
plan within the horizon (a depth-first search over the units that can be planned, include /
exclude each, the engine's cheapest completion tried first), then (2) asks for a plan ending one
term before the best so far, again and again; when a term is proved impossible, the best plan is
the earliest (``Plan.exact`` True). A branch of the search is pruned when the units still allowed
cannot complete the programme (an audit), when the units chosen cannot be scheduled by the term
(an exact backtracking over their offerings, per-term pace as capacity), or when the engine's
``missing_ects`` cannot fit in the pace left (:class:`_Bound`).

The search is exponential in the worst case: it stops after ``SEARCH_BUDGET`` steps (audits plus
scheduler nodes, about a second), keeps the best plan found (it works, it may not be the
earliest) and sets ``Plan.exact`` False. Measured on the real catalogue: a learner half-way
through a master (the test case) is exact in milliseconds; a licence or master from scratch at 2
units a semester reaches the budget in about 1 to 3 seconds, with a plan at or near the pace bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction
from typing import Any

from lms.progress.audit.catalogue import EquivalenceDef, ProgramDef, UnitDef
from lms.progress.audit.engine import audit
from lms.progress.audit.records import LearnerRecord, ResultEntry
from lms.progress.audit.requirements import unit_codes

HORIZON_YEARS = 12
SEARCH_BUDGET = 15_000
PACE_KINDS = ("units", "ects")
SEMESTERS = ("S1", "S2")

Term = tuple[int, str]  # (academic year, "S1" | "S2")


@dataclass(frozen=True)
class Slot:
    """An offering the plan may use. ``offering_id`` is None and ``assumed`` True for an offering
    not yet published, assumed to repeat the latest published year."""

    unit: str
    year: int
    semester: str  # S1 | S2 | A
    modality: str
    centre: str
    offering_id: int | None = None
    assumed: bool = False

    @property
    def key(self) -> tuple[str, int, str, str, str]:
        return (self.unit, self.year, self.semester, self.modality, self.centre)


@dataclass(frozen=True)
class Preferences:
    pace_kind: str = "units"  # units | ects
    pace: Fraction | int = 2
    modalities: frozenset[str] = frozenset()  # empty: any
    centres: frozenset[str] = frozenset()  # empty: any

    def accepts(self, slot: Slot) -> bool:
        return (not self.modalities or slot.modality in self.modalities) and (
            not self.centres or slot.centre in self.centres
        )

    def as_json(self) -> dict[str, Any]:
        pace = Fraction(self.pace)
        return {
            "pace_kind": self.pace_kind,
            "pace": int(pace) if pace.denominator == 1 else float(pace),
            "modalities": sorted(self.modalities),
            "centres": sorted(self.centres),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Preferences:
        return cls(
            pace_kind=data.get("pace_kind", "units"),
            pace=Fraction(str(data.get("pace", 2))),
            modalities=frozenset(data.get("modalities", ())),
            centres=frozenset(data.get("centres", ())),
        )


@dataclass(frozen=True)
class PlannedUnit:
    code: str
    slot: Slot | None  # None: an activity validated by decision
    pinned: bool = False

    @property
    def activity(self) -> bool:
        return self.slot is None

    @property
    def assumed(self) -> bool:
        return self.slot is not None and self.slot.assumed


@dataclass(frozen=True)
class PlannedTerm:
    year: int
    semester: str
    units: tuple[PlannedUnit, ...]


@dataclass(frozen=True)
class Problem:
    """Why no plan (or a saved plan no longer works). ``kind``:

    - ``removed``: a unit needed to complete the programme was removed by the learner;
    - ``not_offered``: a unit needed is offered in no acceptable modality / centre in the horizon;
    - ``too_big``: a unit is worth more ECTS than the pace allows in one semester;
    - ``pinned_unavailable``: a pinned unit cannot be planned (same reasons);
    - ``no_schedule``: the offerings could complete the programme, not within the horizon at this pace;
    - ``offering_gone``: (saved plan) the planned offering no longer exists;
    - ``term_passed``: (saved plan) the planned term is over and the unit is not validated;
    - ``incomplete``: (saved plan) the planned units no longer complete the programme.
    """

    kind: str
    unit: str | None = None


@dataclass(frozen=True)
class Plan:
    start: Term
    terms: tuple[PlannedTerm, ...] = ()
    completion: Term | None = None
    problems: tuple[Problem, ...] = ()
    exact: bool = True
    already_complete: bool = False
    preferences: Preferences = field(default_factory=Preferences)

    @property
    def works(self) -> bool:
        return self.completion is not None

    @property
    def assumed(self) -> bool:
        return any(unit.assumed for term in self.terms for unit in term.units)

    def schedule_json(self) -> list[dict[str, Any]]:
        """The ``StudyPlan.schedule`` form: one entry per term from the start to the completion."""
        return [
            {
                "year": term.year,
                "semester": term.semester,
                "units": [
                    {
                        "code": unit.code,
                        "offering_id": unit.slot.offering_id if unit.slot else None,
                        "assumed": unit.assumed,
                        "pinned": unit.pinned,
                        "activity": unit.activity,
                        "semester": unit.slot.semester if unit.slot else None,
                        "year": unit.slot.year if unit.slot else term.year,
                        "modality": unit.slot.modality if unit.slot else None,
                        "centre": unit.slot.centre if unit.slot else None,
                    }
                    for unit in term.units
                ],
            }
            for term in self.terms
        ]


# --- terms ------------------------------------------------------------------------------------------


def start_term(day: date) -> Term:
    """The next semester one can still register for: S1 (October) until September, S2 (February)
    from October to January."""
    if day.month >= 10:
        return (day.year, "S2")
    if day.month == 1:
        return (day.year - 1, "S2")
    return (day.year, "S1")


def term_index(term: Term, start: Term) -> int:
    return 2 * (term[0] - start[0]) + SEMESTERS.index(term[1]) - SEMESTERS.index(start[1])


def term_at(index: int, start: Term) -> Term:
    absolute = 2 * start[0] + SEMESTERS.index(start[1]) + index
    return (absolute // 2, SEMESTERS[absolute % 2])


def _occupies(slot: Slot, start: Term) -> tuple[int, ...]:
    if slot.semester == "A":
        return (term_index((slot.year, "S1"), start), term_index((slot.year, "S2"), start))
    return (term_index((slot.year, slot.semester), start),)


def extend_slots(slots: Iterable[Slot], through_year: int) -> list[Slot]:
    """``slots`` plus, for each unit, its latest published year repeated yearly up to
    ``through_year``, flagged ``assumed`` (no offering id)."""
    slots = list(slots)
    latest: dict[str, int] = {}
    for slot in slots:
        latest[slot.unit] = max(latest.get(slot.unit, slot.year), slot.year)
    extended = list(slots)
    for slot in slots:
        if slot.year != latest[slot.unit] or slot.assumed:
            continue
        for year in range(slot.year + 1, through_year + 1):
            extended.append(replace(slot, year=year, offering_id=None, assumed=True))
    return extended


# --- the learner's position ---------------------------------------------------------------------------


def held_units(program: ProgramDef, record: LearnerRecord) -> tuple[set[str], set[str]]:
    """(units validated for this programme, units registered) according to the record."""
    validated, registered = set(), set()
    for result in record.results:
        if (result.grade is not None and result.grade >= program.pass_mark) or result.status == "validated":
            validated.add(result.unit)
        elif result.status == "registered":
            registered.add(result.unit)
    for credit in record.credits:
        if credit.program is None or credit.program == program.code:
            validated.add(credit.unit)
    return validated, registered - validated


class _Completes:
    """Does validating these units (besides the record, registered units passing) complete the
    programme? Memoised engine calls."""

    def __init__(self, program, units, equivalences, record: LearnerRecord, as_of: date):
        self.args = (program, units, equivalences)
        self.as_of = as_of
        _validated, registered = held_units(program, record)
        extra = tuple(ResultEntry(unit=code, status="validated") for code in sorted(registered))
        self.base = replace(record, results=tuple(record.results) + extra)
        self.memo: dict[frozenset[str], Fraction | None] = {}
        self.calls = 0

    def audit(self, codes: Iterable[str]) -> dict[str, Any]:
        self.calls += 1
        extra = tuple(ResultEntry(unit=code, status="validated") for code in sorted(codes))
        return audit(*self.args, replace(self.base, results=self.base.results + extra), self.as_of)

    def __call__(self, codes: frozenset[str]) -> bool:
        return self.missing(codes) == 0

    def missing(self, codes: frozenset[str]) -> Fraction | None:
        """The least ECTS still to validate after these units (None: cannot complete)."""
        known = self.memo.get(codes, False)
        if known is False:
            result = self.audit(codes)
            missing = result["missing_ects"]
            if result["status"] == "complete":
                missing = 0
            known = self.memo[codes] = None if missing is None else Fraction(str(missing))
        return known


# --- scheduling a set of units ------------------------------------------------------------------------


class _Scheduler:
    """Exact: can these units be placed on their options by term T with the pace as capacity?"""

    def __init__(self, options: Mapping[str, list[tuple[Slot, tuple[int, ...], Fraction]]], pace: Fraction):
        self.options = options  # unit -> [(slot, terms occupied, load per term)], earliest first
        self.pace = pace
        self.steps = 0
        self.budget: _Budget | None = None

    def schedule(self, codes: Iterable[str], last: int) -> dict[str, Slot] | None:
        order = sorted(codes, key=lambda code: (sum(1 for o in self.options[code] if o[1][-1] <= last), code))
        loads: dict[int, Fraction] = {}
        chosen: dict[str, Slot] = {}
        failed: set[tuple[int, tuple]] = set()

        def place(i: int) -> bool:
            if i == len(order):
                return True
            state = (i, tuple(sorted(loads.items())))
            if state in failed:
                return False
            self.steps += 1
            if self.budget is not None:
                self.budget.check()
            code = order[i]
            for slot, terms, load in self.options[code]:
                if terms[-1] > last:
                    break
                if any(loads.get(t, 0) + load > self.pace for t in terms):
                    continue
                for t in terms:
                    loads[t] = loads.get(t, 0) + load
                chosen[code] = slot
                if place(i + 1):
                    return True
                for t in terms:
                    loads[t] -= load
                    if not loads[t]:
                        del loads[t]
                del chosen[code]
            failed.add(state)
            return False

        return dict(chosen) if place(0) else None


@dataclass(frozen=True)
class _Bound:
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

    def possible(self, missing: Fraction | None, included: frozenset[str], last: int) -> bool:
        if missing is None:
            return False
        capacity = self.pace * (last + 1)
        course = [code for code in included if code not in self.activities]
        still = max(missing - self.activity_ects, Fraction(0))
        if self.kind == "ects":
            return sum((self.ects[code] for code in course), Fraction(0)) + still <= capacity
        if not still:
            return len(course) <= capacity
        if not self.biggest:
            return False
        return len(course) + -(-still // self.biggest) <= capacity


class _BudgetExceeded(Exception):
    pass


# --- planning ------------------------------------------------------------------------------------------


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
) -> Plan:
    """The plan completing ``program`` at the earliest term (see the module docstring)."""
    as_of = as_of or record.as_of or date.today()
    completes = _Completes(program, units, equivalences, record, as_of)
    if completes(frozenset()):
        return Plan(start=start, completion=None, already_complete=True, preferences=preferences)
    validated, registered = held_units(program, record)
    tree = [code for code in dict.fromkeys(unit_codes(program.requirements)) if code in units]
    removed = set(removed)
    pinned = [code for code in dict.fromkeys(pinned) if code in tree and code not in validated | registered]
    candidates = [code for code in tree if code not in validated and code not in registered]
    pace = Fraction(preferences.pace)
    horizon = 2 * horizon_years - 1  # last term index
    slots = list(slots)

    all_slots: dict[str, list[Slot]] = {}
    for slot in slots:
        all_slots.setdefault(slot.unit, []).append(slot)
    options: dict[str, list[tuple[Slot, tuple[int, ...], Fraction]]] = {}
    activities: set[str] = set()
    too_big: set[str] = set()
    for code in candidates:
        if code not in all_slots:
            if units[code].kind == "UA":
                activities.add(code)
            options[code] = []
            continue
        own = []
        for slot in all_slots[code]:
            if not preferences.accepts(slot):
                continue
            terms = _occupies(slot, start)
            if terms[0] < 0 or terms[-1] > horizon:
                continue
            if preferences.pace_kind == "ects":
                load = Fraction(str(units[code].ects)) / len(terms)
            else:
                load = Fraction(1)
            if load > pace:
                too_big.add(code)
                continue
            own.append((slot, terms, load))
        own.sort(key=lambda o: (o[1][-1], o[0].assumed, o[0].semester == "A", o[0].modality, o[0].centre))
        options[code] = own
    scheduler = _Scheduler(options, pace)

    def usable(code: str, last: int) -> bool:
        return code in activities or any(o[1][-1] <= last for o in options[code])

    # Pinned units that can never be planned, and whether the programme can be completed at all.
    problems = [Problem("pinned_unavailable", code) for code in pinned if code in removed or not usable(code, horizon)]
    if problems:
        return Plan(start=start, problems=tuple(problems), preferences=preferences)
    reachable = frozenset(code for code in candidates if code not in removed and usable(code, horizon))
    if not completes(reachable):
        return Plan(
            start=start,
            problems=tuple(_why_not(completes, candidates, reachable, removed, too_big)),
            preferences=preferences,
        )

    # The engine's cheapest completion: tried first (include first), the rest exclude first.
    hint = set(completes.audit(frozenset())["to_complete"])
    # A lower bound on the pace needed (see _Bound): skips hopeless terms and prunes the search.
    course = [code for code in reachable if code not in activities]
    bound = _Bound(
        kind=preferences.pace_kind,
        pace=pace,
        ects={code: Fraction(str(units[code].ects)) for code in reachable},
        activities=activities,
        activity_ects=sum((Fraction(str(units[code].ects)) for code in reachable if code in activities), Fraction(0)),
        biggest=max((Fraction(str(units[code].ects)) for code in course), default=Fraction(0)),
    )
    budget = _Budget(completes, scheduler, SEARCH_BUDGET)

    def attempt(last: int) -> dict[str, Slot | None] | None:
        """A schedule completing by ``last``; None when there is none; _BudgetExceeded."""
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
    except _BudgetExceeded:
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
        except _BudgetExceeded:
            exact = False
            break
        if found is None:
            break
        best = found
    return _make_plan(start, best, activities, set(pinned), preferences, exact)


def _last_term(found: Mapping[str, Slot | None], start: Term) -> int:
    return max((_occupies(slot, start)[-1] for slot in found.values() if slot is not None), default=0)


class _Budget:
    """Steps (audits and scheduler nodes) the whole search may spend."""

    def __init__(self, completes: _Completes, scheduler: _Scheduler, steps: int):
        self.completes, self.scheduler = completes, scheduler
        self.limit = steps
        scheduler.budget = self

    @property
    def spent(self) -> int:
        return self.completes.calls + self.scheduler.steps

    @property
    def left(self) -> bool:
        return self.spent <= self.limit

    def check(self) -> None:
        if not self.left:
            raise _BudgetExceeded


def _search(
    completes: _Completes,
    scheduler: _Scheduler,
    activities: set[str],
    pinned: set[str],
    rest: list[str],
    last: int,
    hint: set[str],
    bound: _Bound,
    budget: _Budget,
) -> dict[str, Slot | None] | None:
    def dfs(included: frozenset[str], i: int, placed: dict[str, Slot]) -> dict[str, Slot | None] | None:
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


def _why_not(
    completes: _Completes, candidates: list[str], reachable: frozenset[str], removed: set[str], too_big: set[str]
) -> list[Problem]:
    """The units of the engine's cheapest completion that the plan may not use, and why."""
    needed = completes.audit(frozenset())["to_complete"]
    problems = []
    for code in needed:
        if code in reachable:
            continue
        if code in removed:
            problems.append(Problem("removed", code))
        elif code in too_big:
            problems.append(Problem("too_big", code))
        else:
            problems.append(Problem("not_offered", code))
    return problems or [Problem("not_offered")]


def _make_plan(
    start: Term,
    found: Mapping[str, Slot | None],
    activities: set[str],
    pinned: set[str],
    preferences: Preferences,
    exact: bool,
) -> Plan:
    by_term: dict[int, list[PlannedUnit]] = {}
    last = 0
    for slot in found.values():
        if slot is not None:
            terms = _occupies(slot, start)
            last = max(last, terms[-1])
    for code, slot in sorted(found.items()):
        index = last if slot is None else _occupies(slot, start)[0]
        by_term.setdefault(index, []).append(PlannedUnit(code, slot, code in pinned))
    terms = tuple(PlannedTerm(*term_at(index, start), units=tuple(by_term.get(index, ()))) for index in range(last + 1))
    return Plan(start=start, terms=terms, completion=term_at(last, start), exact=exact, preferences=preferences)


# --- re-checking a saved plan ----------------------------------------------------------------------------


def check_plan(
    schedule: Sequence[Mapping[str, Any]],
    program: ProgramDef,
    units: Mapping[str, UnitDef],
    equivalences: Sequence[EquivalenceDef],
    record: LearnerRecord,
    slots: Iterable[Slot],
    start: Term,
    as_of: date | None = None,
) -> list[Problem]:
    """Why a saved schedule (``Plan.schedule_json()``) no longer works, or [] when it still does.

    Every planned unit not yet validated nor registered must still have its offering (a published
    one by id; an assumed one as the same unit, year, semester, modality and centre, published or
    still assumed) in a term not yet over; and the planned units must still complete the programme.
    """
    as_of = as_of or record.as_of or date.today()
    completes = _Completes(program, units, equivalences, record, as_of)
    validated, registered = held_units(program, record)
    by_id = {slot.offering_id: slot for slot in slots if slot.offering_id is not None}
    by_key = {slot.key for slot in slots}
    problems: list[Problem] = []
    planned: set[str] = set()
    for term in schedule:
        for entry in term.get("units", ()):
            code = entry["code"]
            planned.add(code)
            if code in validated or code in registered or entry.get("activity"):
                continue
            semester = entry.get("semester") or term["semester"]
            year = entry.get("year", term["year"])
            if entry.get("offering_id") is not None and not entry.get("assumed"):
                found = by_id.get(entry["offering_id"])
                present = found is not None and (found.year, found.semester) == (year, semester)
            else:
                present = (code, year, semester, entry.get("modality"), entry.get("centre")) in by_key
            begins = (year, "S2") if semester == "S2" else (year, "S1")
            if term_index(begins, start) < 0:
                problems.append(Problem("term_passed", code))
            elif not present:
                problems.append(Problem("offering_gone", code))
    if not completes(frozenset(planned)):
        problems.append(Problem("incomplete"))
    return problems
