"""The pure planner (lms/progress/audit/planner/): earliest completion checked against a brute force on
small synthetic catalogues, and the real master with evening / distance modes only."""

from __future__ import annotations

import itertools
import random
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from lms.demo import CATALOG_DIR
from lms.progress.audit.catalogue import Catalog, ProgramDef, UnitDef, read_catalog
from lms.progress.audit.engine import audit
from lms.progress.audit.planner import (
    Preferences,
    Slot,
    check_plan,
    extend_slots,
    plan,
    start_term,
    term_index,
)
from lms.progress.audit.records import LearnerRecord, ResultEntry
from lms.progress.audit.requirements import normalise

TODAY = date(2026, 11, 22)
START = (2026, "S2")
EVENING_DISTANCE = frozenset(
    {"presentiel_soir", "hybride_soir", "distance_planifiee_soir", "foad", "distance_planifiee_jour"}
)


def passed(*codes: str) -> tuple[ResultEntry, ...]:
    return tuple(ResultEntry(code, Decimal(12), None, date(2025, 6, 1), 1) for code in codes)


def with_validated(record: LearnerRecord, codes) -> LearnerRecord:
    extra = tuple(ResultEntry(code, status="validated") for code in codes)
    return LearnerRecord(record.learner, record.as_of, record.results + extra, record.credits, record.exceptions)


# --- brute force --------------------------------------------------------------------------------------


def occupied(slot: Slot, start) -> list[int]:
    if slot.semester == "A":
        return [term_index((slot.year, "S1"), start), term_index((slot.year, "S2"), start)]
    return [term_index((slot.year, slot.semester), start)]


def brute_force(program, units, record, slots, prefs, start, pinned=(), removed=(), last_index=5, reserved=0):
    """The earliest completion index over every assignment of each unit to nothing or one of its
    acceptable offerings; None when no assignment completes. ``reserved``: the start term's pace
    already taken (registered units, validated at its end)."""
    held = {entry.unit for entry in record.results}
    registered = [entry.unit for entry in record.results if entry.status == "registered"]
    codes = sorted({slot.unit for slot in slots} - set(removed) - held)
    choices = []
    for code in codes:
        own = [
            s
            for s in slots
            if s.unit == code
            and prefs.accepts(s)
            and occupied(s, start)[0] >= 0
            and occupied(s, start)[-1] <= last_index
        ]
        choices.append(own if code in pinned else [None] + own)
    best = None
    for assignment in itertools.product(*choices):
        loads: dict[int, Fraction] = {}
        for code, slot in zip(codes, assignment, strict=True):
            if slot is None:
                continue
            terms = occupied(slot, start)
            load = Fraction(1) if prefs.pace_kind == "units" else Fraction(units[code].ects) / len(terms)
            for t in terms:
                loads[t] = loads.get(t, 0) + load
        if any(load + (reserved if t == 0 else 0) > prefs.pace for t, load in loads.items()):
            continue
        chosen = [code for code, slot in zip(codes, assignment, strict=True) if slot is not None]
        end = max((occupied(slot, start)[-1] for slot in assignment if slot is not None), default=0)
        if best is not None and end >= best:
            continue
        if audit(program, units, [], with_validated(record, chosen + registered), TODAY)["status"] == "complete":
            best = end
    return best


def random_instance(rng: random.Random):
    n = rng.randint(5, 7)
    codes = [f"U{i:03d}" for i in range(n)]
    units = {code: UnitDef(code, code, Decimal(rng.choice([3, 4, 6])), "UE", None) for code in codes}
    pool = codes[:]
    rng.shuffle(pool)
    mandatory = pool[: rng.randint(1, 2)]
    choice = pool[len(mandatory) :]
    group = {"choose": rng.randint(1, max(1, len(choice) - 2)), "of": choice}
    if rng.random() < 0.5:
        group["credits"] = rng.choice([6, 8, 10])
    tree = normalise({"all": mandatory + [group]})
    program = ProgramDef("P1", "1", "Test", "master", None, None, Decimal(60), Decimal(10), None, tree)
    slots = []
    offering_id = 0
    for code in codes:
        for year in (2026, 2027, 2028):
            for semester in ("S1", "S2", "A"):
                if rng.random() < 0.25:
                    offering_id += 1
                    modality = rng.choice(["foad", "presentiel_jour", "hybride_soir"])
                    slots.append(Slot(code, year, semester, modality, rng.choice(["PAR", "LYO"]), offering_id))
    held = rng.sample(codes, rng.randint(0, 2))
    record = LearnerRecord("1", results=passed(*held))
    if rng.random() < 0.5:
        prefs = Preferences(
            "units",
            rng.choice([1, 2]),
            frozenset({"foad", "hybride_soir"}) if rng.random() < 0.5 else frozenset(),
            frozenset({"PAR"}) if rng.random() < 0.3 else frozenset(),
        )
    else:
        prefs = Preferences("ects", rng.choice([6, 8, 10]))
    return program, units, record, slots, prefs


@pytest.mark.parametrize("seed", range(60))
def test_earliest_completion_matches_brute_force(seed):
    rng = random.Random(seed)
    program, units, record, slots, prefs = random_instance(rng)
    start = (2026, "S1")
    expected = brute_force(program, units, record, slots, prefs, start)
    result = plan(program, units, [], record, slots, prefs, start, as_of=TODAY, horizon_years=3)
    if audit(program, units, [], record, TODAY)["status"] == "complete":
        assert result.already_complete
        return
    if expected is None:
        assert result.completion is None and result.problems
        return
    assert result.exact and result.completion is not None, result.problems
    assert term_index(result.completion, start) == expected
    assert_valid(result, program, units, record, slots, prefs, start)


def assert_valid(result, program, units, record, slots, prefs, start):
    """Only acceptable offerings in their own semester, the pace respected, the programme complete."""
    loads: dict[int, Fraction] = {}
    planned = []
    for term in result.terms:
        for unit in term.units:
            planned.append(unit.code)
            if unit.activity:
                assert units[unit.code].kind == "UA"
                continue
            assert unit.slot in slots and prefs.accepts(unit.slot)
            assert unit.slot.year == term.year
            assert unit.slot.semester in (term.semester, "A")
            terms = occupied(unit.slot, start)
            assert terms[-1] <= term_index(result.completion, start)
            load = Fraction(1) if prefs.pace_kind == "units" else Fraction(units[unit.code].ects) / len(terms)
            for t in terms:
                loads[t] = loads.get(t, 0) + load
    assert all(load <= prefs.pace for load in loads.values())
    assert len(planned) == len(set(planned))
    assert audit(program, units, [], with_validated(record, planned), TODAY)["status"] == "complete"
    return planned


def test_pinned_and_removed_units_match_brute_force():
    for seed in range(20):
        rng = random.Random(1000 + seed)
        program, units, record, slots, prefs = random_instance(rng)
        offered = sorted({s.unit for s in slots})
        pinned = [rng.choice(offered)]
        removed = [code for code in offered if code not in pinned and rng.random() < 0.2]
        start = (2026, "S1")
        expected = brute_force(program, units, record, slots, prefs, start, pinned, removed)
        result = plan(program, units, [], record, slots, prefs, start, pinned, removed, TODAY, horizon_years=3)
        if result.already_complete:
            continue
        if expected is None:
            assert result.completion is None
            continue
        assert term_index(result.completion, start) == expected
        planned = assert_valid(result, program, units, record, slots, prefs, start)
        assert not set(planned) & set(removed)
        held = {entry.unit for entry in record.results}
        assert set(pinned) - held <= set(planned)


@pytest.mark.parametrize("seed", range(30))
def test_registered_units_take_the_start_term_s_pace_as_brute_force_says(seed):
    rng = random.Random(5000 + seed)
    program, units, record, slots, prefs = random_instance(rng)
    held = {entry.unit for entry in record.results}
    taking = rng.sample([code for code in units if code not in held], rng.randint(1, 2))
    record = LearnerRecord("1", results=record.results + tuple(ResultEntry(c, status="registered") for c in taking))
    reserved = len(taking) if prefs.pace_kind == "units" else sum(Fraction(units[c].ects) for c in taking)
    start = (2026, "S1")
    result = plan(program, units, [], record, slots, prefs, start, as_of=TODAY, horizon_years=3)
    if result.already_complete:  # the registered units suffice: validated at the end of the start term
        assert audit(program, units, [], with_validated(record, taking), TODAY)["status"] == "complete"
        return
    expected = brute_force(program, units, record, slots, prefs, start, reserved=reserved)
    if expected is None:
        assert result.completion is None
        return
    assert result.exact and term_index(result.completion, start) == expected
    first = [u for u in result.terms[0].units if u.slot is not None] if result.terms else []
    load = sum((1 if prefs.pace_kind == "units" else Fraction(units[u.code].ects) / (2 if u.slot.semester == "A" else 1))
               for u in first)  # fmt: skip
    assert not first or load + reserved <= prefs.pace


# --- the real catalogue ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return read_catalog([CATALOG_DIR])


def master(catalog: Catalog) -> ProgramDef:
    return max((p for (c, _), p in catalog.programs.items() if c == "MR12202A"), key=lambda p: p.version)


def real_slots(catalog: Catalog) -> list[Slot]:
    published = [Slot(o.unit, o.year, o.semester, o.modality, o.centre, i + 1) for i, o in enumerate(catalog.offerings)]
    return extend_slots(published, START[0] + 12)


HALF_MASTER = [
    "PRS201",
    "PRS202",
    "GDN217",
    "PRS219",
    "MNP213",
    "MNP214",
    "PRS210",
    "UAIP1M",
    "EME104",
    "MSE147",
    "GDN100",
]


def feasibility_optimum(needed, slots, prefs, start, limit=30):
    """The least term index by which all ``needed`` course units fit at ``prefs.pace`` units per
    semester (an exhaustive placement, memoised; a unit takes at least one place in one semester)."""
    options = {
        code: [s for s in slots if s.unit == code and prefs.accepts(s) and occupied(s, start)[0] >= 0]
        for code in needed
    }
    if not all(options.values()):
        return None
    needed = sorted(needed, key=lambda code: len(options[code]))
    for last in range(limit):
        if len(needed) > prefs.pace * (last + 1):
            continue
        failed = set()

        def place(i, loads, last=last, failed=failed):
            if i == len(needed):
                return True
            state = (i, tuple(sorted(loads.items())))
            if state in failed:
                return False
            for slot in options[needed[i]]:
                terms = occupied(slot, start)
                if terms[-1] > last or any(loads.get(t, 0) + 1 > prefs.pace for t in terms):
                    continue
                grown = dict(loads)
                for t in terms:
                    grown[t] = grown.get(t, 0) + 1
                if place(i + 1, grown):
                    return True
            failed.add(state)
            return False

        if place(0, {}):
            return last
    return None


def test_half_master_evening_and_distance_two_units_per_semester(catalog):
    program = master(catalog)
    slots = real_slots(catalog)
    record = LearnerRecord("100000W", results=passed(*HALF_MASTER))
    prefs = Preferences("units", 2, EVENING_DISTANCE)
    result = plan(program, catalog.units, catalog.equivalences, record, slots, prefs, START, as_of=TODAY)
    assert result.works and result.exact
    planned = assert_valid(result, program, catalog.units, record, slots, prefs, START)
    assert all(unit.slot.modality in EVENING_DISTANCE for term in result.terms for unit in term.units if unit.slot)
    assert result.assumed  # the catalogue publishes 2024 and 2025 only: 2026 on is assumed
    # Optimum: the 6 remaining M1 UEs and any 4 of the M2 choice are 10 units; at 2 a semester the
    # earliest is the 5th semester, if some 4-choice fits: check every choice exhaustively.
    remaining_m1 = ["CFA109", "DSY118", "CFA234", "DSY103", "DRA106", "ANG330"]
    choice = [
        "PRS213",
        "PRS214",
        "PRS215",
        "GDN207",
        "GDN231",
        "UEV241",
        "CCE114",
        "GDN216",
        "UEV245",
        "MNP215",
        "TDD204",
    ]
    best = None
    for four in itertools.combinations(choice, 4):
        if sum(catalog.units[c].ects for c in four) < 14:
            continue
        found = feasibility_optimum(
            remaining_m1 + list(four), slots, prefs, START, limit=best + 1 if best is not None else 30
        )
        if found is not None and (best is None or found < best):
            best = found
    assert term_index(result.completion, START) == best == 4
    assert result.completion == (2028, "S2")
    assert "UAIP10" in planned  # the mémoire: an activity, in the completion term
    last = result.terms[-1]
    assert any(unit.code == "UAIP10" and unit.activity for unit in last.units)


def test_day_only_unit_makes_the_plan_impossible(catalog):
    program = master(catalog)
    record = LearnerRecord("1", results=passed(*[c for c in HALF_MASTER if c != "PRS219"]))
    prefs = Preferences("units", 2, EVENING_DISTANCE)
    result = plan(program, catalog.units, catalog.equivalences, record, real_slots(catalog), prefs, START, as_of=TODAY)
    assert not result.works
    assert ("not_offered", "PRS219") in [(p.kind, p.unit) for p in result.problems]


def test_removed_and_pinned_units(catalog):
    program = master(catalog)
    slots = real_slots(catalog)
    record = LearnerRecord("1", results=passed(*HALF_MASTER))
    prefs = Preferences("units", 2, EVENING_DISTANCE)
    result = plan(
        program,
        catalog.units,
        catalog.equivalences,
        record,
        slots,
        prefs,
        START,
        pinned=["CCE114"],
        removed=["GDN207"],
        as_of=TODAY,
    )
    codes = [u.code for t in result.terms for u in t.units]
    assert "CCE114" in codes and "GDN207" not in codes
    assert any(u.pinned for t in result.terms for u in t.units if u.code == "CCE114")
    removed = plan(
        program, catalog.units, catalog.equivalences, record, slots, prefs, START, removed=["ANG330"], as_of=TODAY
    )
    assert not removed.works and ("removed", "ANG330") in [(p.kind, p.unit) for p in removed.problems]


def test_ects_pace_and_annual_units(catalog):
    program = master(catalog)
    record = LearnerRecord("1", results=passed(*[c for c in HALF_MASTER if c != "MSE147"]))
    prefs = Preferences("ects", 12, EVENING_DISTANCE)
    result = plan(program, catalog.units, catalog.equivalences, record, real_slots(catalog), prefs, START, as_of=TODAY)
    assert result.works
    assert_valid(result, program, catalog.units, record, real_slots(catalog), prefs, START)
    annual = [u for t in result.terms for u in t.units if u.code == "MSE147"]
    assert annual and annual[0].slot.semester == "A"


def test_already_complete_and_start_term(catalog):
    assert start_term(date(2026, 11, 22)) == (2026, "S2")
    assert start_term(date(2027, 1, 5)) == (2026, "S2")
    assert start_term(date(2027, 3, 1)) == (2027, "S1")
    assert start_term(date(2027, 9, 15)) == (2027, "S1")


def test_check_plan_detects_gone_offering_and_passed_term(catalog):
    program = master(catalog)
    slots = real_slots(catalog)
    record = LearnerRecord("1", results=passed(*HALF_MASTER))
    prefs = Preferences("units", 2, EVENING_DISTANCE)
    result = plan(program, catalog.units, catalog.equivalences, record, slots, prefs, START, as_of=TODAY)
    schedule = result.schedule_json()
    assert check_plan(schedule, program, catalog.units, catalog.equivalences, record, slots, START, TODAY) == []
    first = schedule[0]["units"][0]
    fewer = [s for s in slots if not (s.unit == first["code"] and s.year == first["year"])]
    problems = check_plan(schedule, program, catalog.units, catalog.equivalences, record, fewer, START, TODAY)
    assert ("offering_gone", first["code"]) in [(p.kind, p.unit) for p in problems]
    later = check_plan(schedule, program, catalog.units, catalog.equivalences, record, slots, (2027, "S2"), TODAY)
    assert ("term_passed", first["code"]) in [(p.kind, p.unit) for p in later]
    done = LearnerRecord("1", results=passed(*HALF_MASTER, first["code"]))
    assert check_plan(schedule, program, catalog.units, catalog.equivalences, done, fewer, START, TODAY) == []


def test_a_needed_free_slot_is_told_as_a_director_s_decision_and_a_filled_one_plans():
    units = {
        "U001": UnitDef("U001", "U001", Decimal(6), "UE", None),
        "U002": UnitDef("U002", "U002", Decimal(3), "UE", None),
    }
    tree = normalise({"all": ["U001", {"slot": "P1X1", "ects": 6, "label": "UE libre"}]})
    program = ProgramDef("P1", "1", "Test", "master", None, None, Decimal(12), Decimal(10), None, tree)
    slots = [Slot("U001", 2026, "S2", "foad", "PAR", 1)]
    prefs = Preferences("units", 2)
    empty = LearnerRecord("1")
    result = plan(program, units, [], empty, slots, prefs, START, as_of=TODAY)
    assert not result.works
    assert ("slot", "P1X1") in [(p.kind, p.unit) for p in result.problems]

    from lms.progress.audit.records import ExceptionEntry

    filled = LearnerRecord("1", results=passed("U002"), exceptions=(ExceptionEntry("P1", "U002", "P1X1", "accord"),))
    result = plan(program, units, [], filled, slots, prefs, START, as_of=TODAY)
    assert result.works
    assert [unit.code for term in result.terms for unit in term.units] == ["U001"]
