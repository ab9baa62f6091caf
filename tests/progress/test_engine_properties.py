"""The audit engine against a brute-force oracle (tests/progress/oracle.py) on small random cases,
and plain examples of the traps an allocation can fall into (formats.md sections 1 to 4)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lms.progress.audit.catalogue import EquivalenceDef, ProgramDef, UnitDef
from lms.progress.audit.engine import audit
from lms.progress.audit.records import CreditEntry, ExceptionEntry, LearnerRecord, ResultEntry
from lms.progress.audit.requirements import normalise
from tests.progress.oracle import Oracle, add_years, applied_entries, token_problems, tree_units

PROGRAM = "PRG01"
OTHER = "PRG02"
AS_OF = date(2026, 6, 30)
ECTS_CHOICES = [0, 1.5, 3, 4, 6]
GRADES = [0, 4, 7.5, 8, 9.5, 10, 11, 12, 15, 20]
CREDIT_THRESHOLDS = [0, 1.5, 3, 4, 6, 7.5, 9, 10, 12]


@dataclass
class Scenario:
    program: ProgramDef
    units: dict[str, UnitDef]
    equivalences: list[EquivalenceDef]
    record: LearnerRecord
    as_of: date

    def oracle(self) -> Oracle:
        return Oracle(self.program, self.units, self.equivalences, self.record, self.as_of)

    def run(self) -> dict[str, Any]:
        return audit(self.program, self.units, self.equivalences, self.record, self.as_of)


def make_program(
    tree: Any, pass_mark: float = 10, validity_years: int | None = None, code: str = PROGRAM
) -> ProgramDef:
    return ProgramDef(
        code,
        "1",
        f"Programme {code}",
        "licence",
        None,
        None,
        Decimal(60),
        Decimal(str(pass_mark)),
        validity_years,
        normalise(tree),
    )


def as_number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# --- strategies ----------------------------------------------------------------------------------


@st.composite
def catalogues(draw) -> dict[str, UnitDef]:
    units = {}
    for i in range(draw(st.integers(3, 7))):
        is_ua = draw(st.integers(0, 4)) == 0
        code = f"UAX{i:03d}" if is_ua else f"NFA{i:03d}"
        ects = Decimal(str(draw(st.sampled_from(ECTS_CHOICES))))
        units[code] = UnitDef(code, f"Unit {i}", ects, "UA" if is_ua else "UE", None)
    return units


def draw_group(draw, units: dict[str, UnitDef], depth: int, budget: list[int], compensation: list[bool]) -> dict:
    """A group of depth ``depth`` (1 = root) spending at most ``budget[0]`` (>= 1) leaves."""
    codes = sorted(units)
    if compensation[0] and budget[0] >= 2 and draw(st.integers(0, 4)) == 0:
        size = draw(st.integers(2, min(3, budget[0])))
        members = draw(st.lists(st.sampled_from(codes), min_size=size, max_size=size, unique=True))
        if sum(units[code].ects for code in members) > 0:
            compensation[0] = False
            budget[0] -= size
            rule: dict[str, Any] = {"min_average": draw(st.sampled_from([8, 10, 12]))}
            floor = draw(st.sampled_from([None, 0, 5, 8]))
            if floor is not None:
                rule["floor"] = floor
            within = draw(st.sampled_from([None, 1, 2, 3]))
            if within is not None:
                rule["within_years"] = within
            return {"label": "compensated", "all": [{"unit": code} for code in members], "compensation": rule}
    kids: list[dict] = []
    for _ in range(draw(st.integers(1, 4))):
        if budget[0] <= 0:
            break
        if depth < 3 and draw(st.integers(0, 2)) == 0:
            kids.append(draw_group(draw, units, depth + 1, budget, compensation))
        else:
            kids.append({"unit": draw(st.sampled_from(codes))})
            budget[0] -= 1
    kind = draw(st.sampled_from(["all", "choose", "credits", "both"]))
    if kind == "all":
        return {"all": kids}
    group: dict[str, Any] = {"of": kids}
    if kind in ("choose", "both"):
        group["choose"] = draw(st.integers(1, len(kids)))
    if kind in ("credits", "both"):
        group["credits"] = draw(st.sampled_from(CREDIT_THRESHOLDS))
    return group


def draw_date(draw, as_of: date) -> date | None:
    if draw(st.integers(0, 3)) == 0:
        return None
    years_back = draw(st.integers(0, 5))
    if draw(st.booleans()):  # exactly N years before: the validity boundary
        return add_years(as_of, -years_back)
    day = date(as_of.year - years_back, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    return min(day, as_of)


def compensation_groups(node: dict) -> list[dict]:
    if "unit" in node:
        return []
    own = [node] if "compensation" in node else []
    return own + [g for child in node.get("all", node.get("of", [])) for g in compensation_groups(child)]


@st.composite
def scenarios(draw) -> Scenario:
    units = draw(catalogues())
    codes = sorted(units)
    tree = draw_group(draw, units, 1, [draw(st.integers(2, 7))], [True])
    pass_mark = draw(st.sampled_from([10, 10, 12]))
    program = make_program(tree, pass_mark, draw(st.sampled_from([None, None, 1, 2, 3])))
    mine = sorted(tree_units(program.requirements))
    as_of = date(2026, draw(st.integers(1, 12)), draw(st.integers(1, 28)))

    results = []
    for code in codes + ["ZZZ999"]:
        if code == "ZZZ999" and draw(st.integers(0, 4)):
            continue
        for _ in range(draw(st.integers(0, 2))):
            if draw(st.booleans()):
                grade = Decimal(str(draw(st.sampled_from(GRADES))))
                status = draw(st.sampled_from([None, None, "validated"] + (["failed"] if grade < pass_mark else [])))
                results.append(ResultEntry(code, grade, status, draw_date(draw, as_of), 1))
            else:
                status = draw(st.sampled_from(["validated", "failed", "absent", "registered", "registered"]))
                day = None if status == "registered" else draw_date(draw, as_of)
                results.append(ResultEntry(code, None, status, day, None))
    for node in compensation_groups(program.requirements):  # grade its units more often
        for leaf in node["all"]:
            if draw(st.integers(0, 7)):
                grade = Decimal(str(draw(st.sampled_from(GRADES[3:]))))
                results.append(ResultEntry(leaf["unit"], grade, None, draw_date(draw, as_of), 1))
    results = draw(st.permutations(results))

    credits = []
    for _ in range(draw(st.integers(0, 2))):
        source = draw(st.sampled_from(["ves", "vae", "dispense", "transfer"]))
        owner = draw(st.sampled_from([PROGRAM, OTHER] if source == "ves" else [None, None, PROGRAM, OTHER]))
        credits.append(CreditEntry(draw(st.sampled_from(codes + ["ZZZ998"])), source, owner, draw_date(draw, as_of)))

    exceptions = []
    if draw(st.integers(0, 2)) == 0:
        replaces = draw(st.sampled_from(mine))
        substitute = draw(st.sampled_from([c for c in codes if c != replaces] + ["ZZZ997"]))
        owner = draw(st.sampled_from([PROGRAM, PROGRAM, OTHER]))
        exceptions.append(ExceptionEntry(owner, substitute, replaces, "jury"))

    equivalences = []
    if draw(st.integers(0, 2)) == 0:
        counts_as = draw(st.sampled_from(mine))
        others = [c for c in codes if c != counts_as]
        sources = draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
        equivalences.append(EquivalenceDef(tuple(sorted(sources)), counts_as))

    record = LearnerRecord("100234X", as_of, tuple(results), tuple(credits), tuple(exceptions))
    return Scenario(program, units, equivalences, record, as_of)


# --- the property --------------------------------------------------------------------------------

ROOT_STATUS = {"complete": "met", "in_progress": "in_progress", "incomplete": "unmet"}


def disagreements(scenario: Scenario) -> list[str]:
    oracle = scenario.oracle()
    result = scenario.run()
    found = []
    status = oracle.status()
    if result["status"] != status:
        found.append(f"status: expected {status}, got {result['status']}")
    if result["requirements"]["status"] != ROOT_STATUS[result["status"]]:
        found.append(f"root node status {result['requirements']['status']} for a {result['status']} audit")
    missing = oracle.missing_ects()
    if as_number(result["missing_ects"]) != missing:
        found.append(f"missing_ects: expected {missing}, got {result['missing_ects']}")
    found += token_problems(result, oracle)
    applied = {entry["unit"] for entry in applied_entries(result["requirements"])}
    unused = oracle.validated() - applied
    if set(result["unused"]) != unused:
        found.append(f"unused: expected {sorted(unused)}, got {result['unused']}")
    return found


def describe(scenario: Scenario) -> str:
    """The scenario in a few lines, for failure messages and reports."""
    record = scenario.record
    lines = [
        f"units: {', '.join(f'{u.code}={u.ects}' for u in scenario.units.values())}",
        f"tree: {scenario.program.requirements}",
        f"pass_mark={scenario.program.pass_mark} validity_years={scenario.program.validity_years}"
        f" as_of={scenario.as_of}",
    ]
    lines += [f"result: {r.unit} grade={r.grade} status={r.status} date={r.date}" for r in record.results]
    lines += [f"credit: {c.unit} {c.source} program={c.program} date={c.date}" for c in record.credits]
    lines += [f"exception: {e.program} {e.substitute} for {e.replaces}" for e in record.exceptions]
    lines += [f"equivalence: {list(e.units)} -> {e.counts_as}" for e in scenario.equivalences]
    return "\n".join(lines)


# One property per answer, so that a disagreement on one does not hide the others.
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(scenarios())
def test_status_agrees_with_the_oracle(scenario):
    result, status = scenario.run(), scenario.oracle().status()
    assert (result["status"], result["requirements"]["status"]) == (status, ROOT_STATUS[status]), describe(scenario)


@PROPERTY
@given(scenarios())
def test_missing_ects_agrees_with_the_oracle(scenario):
    result, missing = scenario.run(), scenario.oracle().missing_ects()
    assert as_number(result["missing_ects"]) == missing, describe(scenario)


def compensated_units(node: Any) -> set[str]:
    if isinstance(node, str):
        return set()
    if isinstance(node, dict):
        found = set()
        if "compensation" in node:
            found |= {leaf["unit"] if isinstance(leaf, dict) else leaf for leaf in node["all"]}
        for key in ("all", "of"):
            for child in node.get(key, ()):
                found |= compensated_units(child)
        return found
    return set()


@PROPERTY
@given(scenarios())
def test_validating_the_units_to_complete_completes_the_programme(scenario):
    """``to_complete`` is a cheapest completion: its ECTS are missing_ects, and validating exactly
    those units makes the audit complete — except for a unit of a compensation group, where
    validating it changes which tokens the group consumes (it is then no longer compensated)."""
    result = scenario.run()
    assume(not set(result["to_complete"]) & compensated_units(scenario.program.requirements))
    if result["missing_ects"] is None:
        assert result["to_complete"] == [], describe(scenario)
        return
    assert sum(as_number(scenario.units[code].ects) for code in result["to_complete"]) == as_number(
        result["missing_ects"]
    ), describe(scenario)
    passed = tuple(ResultEntry(code, status="validated", date=scenario.as_of) for code in result["to_complete"])
    kept = tuple(r for r in scenario.record.results if r.unit not in result["to_complete"] or r.status != "registered")
    record = dataclasses.replace(scenario.record, results=kept + passed)
    after = dataclasses.replace(scenario, record=record).run()
    assert after["status"] == "complete" and after["to_complete"] == [], describe(scenario)


@PROPERTY
@given(scenarios())
def test_no_token_is_applied_twice_and_unused_is_what_is_left(scenario):
    result, oracle = scenario.run(), scenario.oracle()
    assert token_problems(result, oracle) == [], describe(scenario)
    applied = {entry["unit"] for entry in applied_entries(result["requirements"])}
    assert sorted(result["unused"]) == sorted(oracle.validated() - applied), describe(scenario)


# --- plain examples ------------------------------------------------------------------------------


def catalogue(**ects: float) -> dict[str, UnitDef]:
    return {
        code: UnitDef(code, code, Decimal(str(value)), "UA" if code.startswith("UA") else "UE", None)
        for code, value in ects.items()
    }


UNITS = catalogue(AAA101=6, BBB101=3, CCC101=3, DDD101=4, EEE101=4, FFF101=6, GGG101=6, UAA101=0)
A, B, C, D, E, F, G = "AAA101", "BBB101", "CCC101", "DDD101", "EEE101", "FFF101", "GGG101"


def ok(unit: str, grade: float = 12, day: date | None = None) -> ResultEntry:
    return ResultEntry(unit, Decimal(str(grade)), None, day, 1)


def reg(unit: str) -> ResultEntry:
    return ResultEntry(unit, None, "registered")


def run(tree: Any, results=(), credits=(), exceptions=(), equivalences=(), units=UNITS, **program) -> dict[str, Any]:
    """Audit ``tree`` and check the engine agrees with the oracle on this example as well."""
    record = LearnerRecord("100234X", AS_OF, tuple(results), tuple(credits), tuple(exceptions))
    scenario = Scenario(make_program(tree, **program), units, list(equivalences), record, AS_OF)
    assert disagreements(scenario) == []
    return scenario.run()


def node_at(result: dict[str, Any], *path: int) -> dict[str, Any]:
    node = result["requirements"]
    for i in path:
        node = node["children"][i]
    return node


def test_a_unit_fitting_two_groups_goes_where_it_is_needed():
    # first-fit puts A in the first group, then the second group has nothing
    tree = {"all": [{"choose": 1, "of": [A, B]}, {"choose": 1, "of": [A]}]}
    result = run(tree, [ok(A), ok(B)])
    assert result["status"] == "complete" and result["missing_ects"] == 0
    assert [e["unit"] for e in node_at(result, 1)["children"][0]["applied"]] == [A]


def test_credits_group_leaves_the_shared_unit_to_the_mandatory_leaf():
    tree = {"all": [{"credits": 6, "of": [A, B, C]}, A]}
    result = run(tree, [ok(A), ok(B), ok(C)])
    assert result["status"] == "complete"
    assert node_at(result, 0)["earned_ects"] == 6


def test_choosing_a_branch_that_leaves_a_unit_for_the_elective():
    # like the licence: choose 1 branch, then 1 elective that must not belong to the branch
    tree = {"all": [{"choose": 1, "of": [{"all": [A, B]}, {"all": [C, D]}]}, {"choose": 1, "of": [A, E]}]}
    assert run(tree, [ok(A), ok(B), ok(C), ok(D)])["status"] == "complete"
    assert run(tree, [ok(A), ok(B)])["status"] == "incomplete"


def test_choose_and_credits_cheapest_completion_is_not_cheapest_units_first():
    tree = {"choose": 2, "credits": 8, "of": [A, B, C, D, E]}  # 6, 3, 3, 4, 4
    assert run(tree)["missing_ects"] == 8  # D + E; B + C is too little, B + D too
    # holding B (3): B + D = 7 < 8, B + A = 9 -> 6, D + E -> 8, B + C + D -> 7: the least is 6
    result = run(tree, [ok(B)])
    assert result["status"] == "incomplete" and result["missing_ects"] == 6


def test_choose_and_credits_with_four_ects_units():
    # four units for at least 14 credits among 6s and 4s: 4 x 4 = 16 is the cheapest
    units = catalogue(PRS213=6, UEV241=6, PRS214=4, PRS215=4, GDN207=4, GDN231=4)
    tree = {"choose": 4, "credits": 14, "of": list(units)}
    assert run(tree, units=units)["missing_ects"] == 16
    # holding one 6: 6 + 4 + 4 + 4 = 18, cost 12
    assert run(tree, [ok("PRS213")], units=units)["missing_ects"] == 12


def test_an_equivalence_source_serves_the_equivalence_or_its_own_leaf_not_both():
    tree = {"all": [A, D]}
    eq = [EquivalenceDef((A,), D)]
    result = run(tree, [ok(A)], equivalences=eq)
    assert result["status"] == "incomplete" and result["missing_ects"] == 4
    assert run(tree, [ok(A), ok(B)], equivalences=[EquivalenceDef((B,), D)])["status"] == "complete"
    # two sources: both are consumed, and one of them is also a leaf of its own
    eq2 = [EquivalenceDef((A, B), D)]
    assert run(tree, [ok(A), ok(B)], equivalences=eq2)["status"] == "incomplete"
    assert run({"all": [B, D]}, [ok(A), ok(C)], equivalences=[EquivalenceDef((A, C), D)])["missing_ects"] == 3


def test_an_equivalence_applies_each_source():
    result = run({"all": [D]}, [ok(A), ok(B)], equivalences=[EquivalenceDef((A, B), D)])
    assert result["status"] == "complete"
    entries = node_at(result, 0)["applied"]
    assert sorted(e["unit"] for e in entries) == [A, B] and {e["via"] for e in entries} == {"equivalence"}
    assert node_at(result, 0)["earned_ects"] == 4


def test_an_equivalence_where_the_direct_unit_is_better_used_elsewhere():
    # D is held, but D must go to the second group; the first leaf D uses the equivalence
    tree = {"all": [D, {"choose": 1, "of": [D, E]}]}
    result = run(tree, [ok(D), ok(A)], equivalences=[EquivalenceDef((A,), D)])
    assert result["status"] == "complete"


def test_ves_for_another_programme_does_not_count():
    tree = {"all": [A, B]}
    other = CreditEntry(A, "ves", OTHER, date(2025, 1, 10))
    result = run(tree, [ok(B)], [other])
    assert result["status"] == "incomplete" and result["missing_ects"] == 6
    assert result["unused"] == []
    assert run(tree, [ok(B)], [CreditEntry(A, "ves", PROGRAM, date(2025, 1, 10))])["status"] == "complete"
    assert run(tree, [ok(B)], [CreditEntry(A, "vae", None, date(2025, 1, 10))])["status"] == "complete"


def test_validity_expiry():
    tree = {"all": [A]}
    boundary = date(2024, 6, 30)  # exactly 2 years before AS_OF: still valid
    assert run(tree, [ok(A, day=boundary)], validity_years=2)["status"] == "complete"
    assert run(tree, [ok(A, day=date(2024, 6, 29))], validity_years=2)["status"] == "incomplete"
    assert run(tree, [ok(A, day=date(2020, 1, 1))])["status"] == "complete"  # no validity: never expires
    assert run(tree, [ok(A)], validity_years=1)["status"] == "complete"  # undated never expires
    stale = CreditEntry(A, "vae", None, date(2023, 1, 1))
    result = run(tree, [], [stale], validity_years=3)
    assert result["status"] == "incomplete" and result["missing_ects"] == 6


def test_a_unit_in_two_leaves_needs_two_tokens():
    result = run({"all": [A, A]}, [ok(A)])
    assert result["status"] == "incomplete" and result["missing_ects"] is None


def test_substitution_is_worth_the_replaced_unit():
    tree = {"credits": 6, "of": [A, B]}  # A = 6, B = 3; substitute C = 3
    swap = ExceptionEntry(PROGRAM, C, A, "jury")
    result = run(tree, [ok(C)], exceptions=[swap])
    assert result["status"] == "complete" and result["earned_ects"] == 6
    assert [(e["unit"], e["via"]) for e in node_at(result, 0)["applied"]] == [(C, "substitution")]
    assert run(tree, [ok(C)], exceptions=[ExceptionEntry(OTHER, C, A, "jury")])["status"] == "incomplete"


def test_registered_units_make_it_in_progress_and_count_among_the_missing():
    result = run({"all": [A, D]}, [ok(A), reg(D)])
    assert result["status"] == "in_progress" and result["missing_ects"] == 4
    assert result["in_progress_ects"] == 4 and result["earned_ects"] == 6


def test_validated_status_or_pass_mark():
    assert run({"all": [A]}, [ResultEntry(A, Decimal(8), "validated")])["status"] == "complete"
    assert run({"all": [A]}, [ok(A, 11)], pass_mark=12)["status"] == "incomplete"
    assert run({"all": [A]}, [ok(A, 8), ok(A, 12)])["status"] == "complete"  # best grade


COMPENSATED = {"label": "UE compensables", "all": [A, B], "compensation": {"min_average": 10, "floor": 5}}


def test_compensation_met():
    # (6 x 12 + 3 x 8) / 9 = 10.67 >= 10, nothing below 5
    result = run({"all": [COMPENSATED]}, [ok(A, 12), ok(B, 8)])
    assert result["status"] == "complete" and result["missing_ects"] == 0
    vias = {e["unit"]: e["via"] for e in applied_entries(result["requirements"])}
    assert vias[B] == "compensation"


def test_compensation_failed_by_floor_average_or_a_missing_grade():
    floor = {**COMPENSATED, "compensation": {"min_average": 10, "floor": 9}}
    assert run({"all": [floor]}, [ok(A, 12), ok(B, 8)])["status"] == "incomplete"
    result = run({"all": [COMPENSATED]}, [ok(A, 10), ok(B, 7)])  # (60 + 21) / 9 = 9
    assert result["status"] == "incomplete" and result["missing_ects"] == 3
    # B has no grade at all: no compensation, and B missing is not compensated hypothetically
    result = run({"all": [COMPENSATED]}, [ok(A, 20)])
    assert result["status"] == "incomplete" and result["missing_ects"] == 3


def test_compensation_within_years_of_the_first_credit():
    within = {**COMPENSATED, "compensation": {"min_average": 10, "within_years": 3}}
    early = [ok(A, 12, date(2022, 1, 10)), ok(B, 8, date(2022, 1, 10))]
    assert run({"all": [within]}, early)["status"] == "incomplete"  # 2026-06-30 > 2025-01-10
    recent = [ok(A, 12, date(2024, 1, 10)), ok(B, 8, date(2024, 1, 10))]
    assert run({"all": [within]}, recent)["status"] == "complete"
    # the earliest validated credit of the programme counts, even outside the group
    older = [*recent, ok(C, 15, date(2021, 1, 10))]
    assert run({"all": [within, C]}, older)["status"] == "incomplete"


def test_compensated_units_are_consumed_and_not_reused():
    tree = {"all": [COMPENSATED, {"choose": 1, "of": [A, C]}]}
    assert run(tree, [ok(A, 12), ok(B, 8)])["status"] == "incomplete"
    assert run(tree, [ok(A, 12), ok(B, 8), ok(C)])["status"] == "complete"


def test_unknown_units_are_warned_about_and_ignored():
    result = run({"all": [A]}, [ok(A), ok("ZZZ999")])
    assert result["status"] == "complete"
    assert any("ZZZ999" in warning for warning in result["warnings"])
    assert "ZZZ999" not in result["unused"]


def oracle_answers(tree: Any, results=(), credits=(), exceptions=(), equivalences=(), **program) -> tuple:
    record = LearnerRecord("100234X", AS_OF, tuple(results), tuple(credits), tuple(exceptions))
    oracle = Oracle(make_program(tree, **program), UNITS, list(equivalences), record, AS_OF)
    return oracle.status(), oracle.missing_ects()


def test_the_oracle_itself():
    """The oracle on hand-checked cases (these pass without the engine)."""
    assert oracle_answers({"all": [{"choose": 1, "of": [A, B]}, {"choose": 1, "of": [A]}]}, [ok(A), ok(B)]) == (
        "complete",
        0,
    )
    assert oracle_answers({"choose": 2, "credits": 8, "of": [A, B, C, D, E]}, [ok(B)]) == ("incomplete", 6)
    assert oracle_answers({"all": [A, D]}, [ok(A)], equivalences=[EquivalenceDef((A,), D)]) == ("incomplete", 4)
    assert oracle_answers({"all": [D]}, [ok(A), reg(B)], equivalences=[EquivalenceDef((A, B), D)]) == ("in_progress", 4)
    assert oracle_answers({"all": [A, A]}, [ok(A)]) == ("incomplete", None)
    assert oracle_answers({"all": [A, B]}, [ok(B)], [CreditEntry(A, "ves", OTHER)]) == ("incomplete", 6)
    assert oracle_answers({"all": [A]}, [ok(A, day=date(2024, 6, 29))], validity_years=2) == ("incomplete", 6)
    assert oracle_answers({"all": [A]}, [ok(A, day=date(2024, 6, 30))], validity_years=2) == ("complete", 0)
    assert oracle_answers({"credits": 6, "of": [A, B]}, [ok(C)], exceptions=[ExceptionEntry(PROGRAM, C, A)]) == (
        "complete",
        0,
    )
    assert oracle_answers({"all": [COMPENSATED]}, [ok(A, 12), ok(B, 8)]) == ("complete", 0)
    assert oracle_answers({"all": [COMPENSATED]}, [ok(A, 10), ok(B, 7)]) == ("incomplete", 3)
    assert oracle_answers({"all": [COMPENSATED, {"choose": 1, "of": [A, C]}]}, [ok(A, 12), ok(B, 8)]) == (
        "incomplete",
        3,
    )
    assert oracle_answers({"all": [B, "UAA101"]}, [ok(B)]) == ("incomplete", 0)  # a 0-ECTS UA is missing


ZERO = catalogue(UAA101=0, AAA101=6, BBB101=3, CCC101=3)


def test_a_zero_ects_unit_not_held_leaves_the_programme_incomplete():
    # nothing to pay (missing 0), but the root is not met: not complete
    result = run({"all": ["UAA101", B]}, [ok(B)], units=ZERO)
    assert result["status"] == "incomplete" and result["missing_ects"] == 0
    assert result["requirements"]["status"] == "unmet"


def test_a_registered_zero_ects_unit_is_in_progress_not_complete():
    result = run({"all": ["UAA101", B]}, [ok(B), reg("UAA101")], units=ZERO)
    assert result["status"] == "in_progress" and result["missing_ects"] == 0
    # the same through an equivalence whose (registered, 0-ECTS) source is outside the tree:
    # B itself must be validated, 3 ECTS
    result = run({"all": [B]}, [reg("UAA101")], equivalences=[EquivalenceDef(("UAA101",), B)], units=ZERO)
    assert result["status"] == "in_progress" and result["missing_ects"] == 3


def test_missing_counts_only_units_of_the_tree():
    # C is registered and would stand in for the second B leaf, but C is not a unit of this tree:
    # validating units of the tree alone (B) cannot complete it
    swap = ExceptionEntry(PROGRAM, C, B, "jury")
    result = run({"all": [B, B]}, [ok(B), reg(C)], exceptions=[swap], units=ZERO)
    assert result["status"] == "in_progress" and result["missing_ects"] is None
    result = run({"all": [A, A]}, [ok(A), reg(C)], equivalences=[EquivalenceDef((C,), A)], units=ZERO)
    assert result["status"] == "in_progress" and result["missing_ects"] is None
