"""The audit engine on the real Cnam catalogue (lms/catalog/data): learners of the master, the
certificate that shares its units, the licence's branches and domains, the RNCP title's choice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from lms.demo import CATALOG_DIR
from lms.progress.audit.catalogue import Catalog, ProgramDef, read_catalog
from lms.progress.audit.engine import audit
from lms.progress.audit.ranking import rank_rows
from lms.progress.audit.records import CreditEntry, LearnerRecord, ResultEntry
from lms.progress.audit.requirements import unit_codes
from tests.progress.oracle import applied_entries

AS_OF = date(2026, 6, 30)

M1 = ["CFA109", "DSY118", "GDN100", "CFA234", "EME104", "DSY103", "MSE147", "DRA106", "ANG330"]  # + UAIP1M
M2_FIRST = ["PRS201", "PRS202", "GDN217", "PRS219", "MNP213", "MNP214"]
MASTER_CHOICE = [
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


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return read_catalog([CATALOG_DIR])


def program(catalog: Catalog, code: str) -> ProgramDef:
    return max((p for (c, _), p in catalog.programs.items() if c == code), key=lambda p: p.version)


def passed(*units: str, grade: float = 12, day: date = date(2025, 6, 13)) -> list[ResultEntry]:
    return [ResultEntry(unit, Decimal(str(grade)), None, day, 1) for unit in units]


def decided(*units: str) -> list[ResultEntry]:
    """UAs validated by decision, without a grade."""
    return [ResultEntry(unit, None, "validated", date(2025, 9, 1)) for unit in units]


def registered(*units: str) -> list[ResultEntry]:
    return [ResultEntry(unit, None, "registered") for unit in units]


def record(results=(), credits=()) -> LearnerRecord:
    return LearnerRecord("100234X", AS_OF, tuple(results), tuple(credits))


def run(catalog: Catalog, code: str, learner: LearnerRecord) -> dict[str, Any]:
    return audit(program(catalog, code), catalog.units, catalog.equivalences, learner, AS_OF)


def find(node: dict[str, Any], label: str) -> dict[str, Any]:
    """The node labelled ``label`` (a prefix is enough) in an audit result tree."""
    if (node.get("label") or "").startswith(label):
        return node
    for child in node["children"]:
        try:
            return find(child, label)
        except LookupError:
            pass
    raise LookupError(label)


def applied_units(node: dict[str, Any]) -> list[str]:
    return sorted(entry["unit"] for entry in applied_entries(node))


# --- the master MR12202A -------------------------------------------------------------------------

# M1 = 6+6+4+6+6+6+9+4+6 + UAIP1M 7 = 60; M2 1re année = 6+4+4+8+6+4 = 32; PRS210 6 + UAIP10 8 = 14;
# four choice units for at least 14 credits: the cheapest are four 4-ECTS units, 16. 60+32+14+16 = 122.
MASTER_DONE = [
    *passed(*M1, *M2_FIRST, "PRS210", "PRS213", "PRS214", "PRS215", "GDN207"),  # choice: 6+4+4+4 = 18
    *decided("UAIP1M", "UAIP10"),
]


def test_master_finished(catalog):
    result = run(catalog, "MR12202A", record(MASTER_DONE + passed("NFE108")))
    assert result["status"] == "complete"
    assert result["missing_ects"] == 0
    assert result["earned_ects"] == 60 + 32 + 18 + 14
    assert result["in_progress_ects"] == 0
    assert result["requirements"]["status"] == "met"
    assert result["unused"] == ["NFE108"]  # validated, applied nowhere in the master
    choice = find(result["requirements"], "Quatre UE")
    assert choice["kind"] == "choose" and choice["status"] == "met" and choice["earned_ects"] == 18
    assert applied_units(choice) == ["GDN207", "PRS213", "PRS214", "PRS215"]
    assert find(result["requirements"], "M1")["earned_ects"] == 60
    assert find(result["requirements"], "M2 1re")["earned_ects"] == 32


def test_audit_json_has_the_keys_of_section_3(catalog):
    result = run(catalog, "MR12202A", record(MASTER_DONE + passed("ZZZ999")))
    assert set(result) == {
        "program",
        "version",
        "as_of",
        "status",
        "nominal_ects",
        "earned_ects",
        "in_progress_ects",
        "missing_ects",
        "requirements",
        "unused",
        "to_complete",
        "warnings",
    }
    assert result["program"] == "MR12202A" and result["version"] == "20261004"
    assert result["as_of"] == "2026-06-30" and result["nominal_ects"] == 120

    def check(node):
        assert {"label", "kind", "status", "earned_ects", "applied", "children"} <= set(node)
        assert node["kind"] in {"unit", "all", "choose", "credits"}
        assert node["status"] in {"met", "in_progress", "unmet"}
        for entry in node["applied"]:
            assert {"unit", "via", "ects"} <= set(entry)
            assert entry["via"] in {"result", "credit", "equivalence", "substitution", "compensation"}
        for child in node["children"]:
            check(child)

    check(result["requirements"])
    assert result["requirements"]["label"] == "Master"
    assert any("ZZZ999" in warning for warning in result["warnings"])
    assert "ZZZ999" not in result["unused"]


SHORT_OF_ONE = [r for r in MASTER_DONE if r.unit != "PRS213"]  # choice: PRS214, PRS215, GDN207 = 12


def test_master_short_of_one_choice_unit(catalog):
    # three 4-ECTS choice units (12): one more is needed; the cheapest is any 4-ECTS unit
    # (12 + 4 = 16 >= 14), so 4 ECTS are missing.
    result = run(catalog, "MR12202A", record(SHORT_OF_ONE))
    assert result["status"] == "incomplete"
    assert result["missing_ects"] == 4
    assert find(result["requirements"], "Quatre UE")["status"] == "unmet"
    assert find(result["requirements"], "M1")["status"] == "met"


def test_master_short_of_one_choice_unit_that_is_registered(catalog):
    # UEV241 (6) is under way: in progress; yet the least to validate is still a 4-ECTS unit (the
    # registered unit is not validated, it counts among the missing): missing 4, not 6.
    result = run(catalog, "MR12202A", record(SHORT_OF_ONE + registered("UEV241")))
    assert result["status"] == "in_progress"
    assert result["missing_ects"] == 4
    assert result["in_progress_ects"] == 6
    assert find(result["requirements"], "Quatre UE")["status"] == "in_progress"
    # with a 4-ECTS unit registered
    result = run(catalog, "MR12202A", record(SHORT_OF_ONE + registered("GDN231")))
    assert result["status"] == "in_progress" and result["missing_ects"] == 4


def test_master_choice_needs_credits_as_well_as_four_units(catalog):
    learner = [r for r in SHORT_OF_ONE if r.unit != "GDN207"]  # choice: PRS214, PRS215 = 8
    result = run(catalog, "MR12202A", record(learner))
    # two units more (four are asked): two 4s make 8 + 8 = 16 >= 14 at cost 8; a 6 and a 4 cost 10
    assert result["status"] == "incomplete" and result["missing_ects"] == 8


def test_nothing_done_misses_122(catalog):
    result = run(catalog, "MR12202A", record())
    assert result["status"] == "incomplete"
    assert result["missing_ects"] == 122  # the catalogue README: 4-ECTS units make 122 the least
    assert result["earned_ects"] == 0 and result["unused"] == []


def test_certificate_holder(catalog):
    learner = record(passed("MNP214", "MNP215", "TDD204"))
    certificate = run(catalog, "CS6800A", learner)
    assert certificate["status"] == "complete" and certificate["missing_ects"] == 0
    assert certificate["earned_ects"] == 12
    master = run(catalog, "MR12202A", learner)
    assert master["status"] == "incomplete"
    # M1 60 + M2 1re année 32 - MNP214 4 = 28 + choice: MNP215, TDD204 (8) and two 4s (8) + 14 = 110
    assert master["missing_ects"] == 110
    assert master["earned_ects"] == 12
    ranking = rank_rows(catalog.programs.values(), catalog.units, catalog.equivalences, learner, AS_OF)
    assert ranking[0]["program"] == "CS6800A" and ranking[0]["status"] == "complete"
    assert ranking[0]["missing_ects"] == 0 and ranking[0]["version"] == "20261004"
    assert {"program", "version", "title", "kind", "status", "earned_ects", "missing_ects"} == set(ranking[0])
    codes = [entry["program"] for entry in ranking]
    assert sorted(codes) == sorted({code for code, _ in catalog.programs})
    by_code = {entry["program"]: entry for entry in ranking}
    assert by_code["MR12202A"]["status"] == "incomplete" and by_code["MR12202A"]["missing_ects"] == 110
    keys = [(e["missing_ects"] is None, e["missing_ects"] or 0, e["program"]) for e in ranking]
    assert keys == sorted(keys)


# --- the licence LG02501A ------------------------------------------------------------------------

L1 = ["MVA003", "NFA031", "NFA032", "NFA035", "NFA004", "MVA004", "NFA003", "NFA010"]
L2_CORE = ["MVA010", "NFA008", "NFA009", "NFA007", "NFA006"]
BRANCHES = {
    "Parcours Systèmes": ["NFA013", "NFA011", "NFA019"],
    "Parcours Programmation": ["NFA022", "NFA025", "NFA024"],
    "Parcours Web": ["NFA040", "NFA042", "NFA021"],
}


@pytest.mark.parametrize("branch", list(BRANCHES))
def test_licence_each_l2_branch(catalog, branch):
    learner = record(passed(*L1, *L2_CORE, *BRANCHES[branch], "BCA001"))
    result = run(catalog, "LG02501A", learner)
    l2 = find(result["requirements"], "L2")
    assert l2["status"] == "met"
    branches = find(l2, "3 parcours")
    assert branches["status"] == "met"
    for label in BRANCHES:
        assert find(branches, label)["status"] == ("met" if label == branch else "unmet")
    assert applied_units(find(l2, "Une UE")) == ["BCA001"]
    assert find(result["requirements"], "L1")["status"] == "met"
    assert result["status"] == "incomplete"


def test_licence_branch_units_do_not_also_fill_the_elective(catalog):
    # the elective list holds NFA013 and NFA011, which belong to the SI branch: one credit each
    learner = record(passed(*L2_CORE, *BRANCHES["Parcours Systèmes"]))
    l2 = find(run(catalog, "LG02501A", learner)["requirements"], "L2")
    assert find(l2, "3 parcours")["status"] == "met"
    assert find(l2, "Une UE")["status"] == "unmet"
    assert l2["status"] == "unmet"


def test_licence_two_branches_one_gives_the_elective(catalog):
    # SI and mobile both held: first-fit takes SI as the branch and finds no elective; the right
    # allocation takes the mobile branch and gives NFA013 (or NFA011) to the elective
    learner = record(passed(*L2_CORE, *BRANCHES["Parcours Systèmes"], *BRANCHES["Parcours Programmation"]))
    l2 = find(run(catalog, "LG02501A", learner)["requirements"], "L2")
    assert l2["status"] == "met"
    assert applied_units(find(l2, "Une UE"))[0] in {"NFA013", "NFA011"}
    assert find(l2, "Parcours Programmation")["status"] == "met"


L3_CORE = ["UTC501", "UTC502", "UTC503", "UTC504", "UTC505", "TED001", "GDN100", "ANG320"]


def test_licence_three_domains_of_five(catalog):
    # NFP119 (software), NFE108 (SI), RCP105 and RCP101 (both in modelling: one domain only)
    learner = record(passed(*L3_CORE, "NFP119", "NFE108", "RCP105", "RCP101") + decided("UAAL0T"))
    result = run(catalog, "LG02501A", learner)
    l3 = find(result["requirements"], "L3")
    domains = find(l3, "3 domaines")
    assert domains["status"] == "met"
    assert find(domains, "1 UE du domaine Conception")["status"] == "met"
    assert find(domains, "1 UE du domaine SI")["status"] == "met"
    assert find(domains, "1 UE du domaine Modélisation")["status"] == "met"
    assert find(domains, "1 UE du domaine réseaux")["status"] == "unmet"
    assert l3["status"] == "met"
    assert find(l3, "Expérience")["status"] == "met"


def test_licence_two_domains_only(catalog):
    # four units but two domains: one more unit (6 ECTS) of another domain is missing in L3
    learner = record(passed(*L3_CORE, "NFP119", "NFP121", "NFE108", "NFP107") + decided("UAAL0T"))
    result = run(catalog, "LG02501A", learner)
    domains = find(result["requirements"], "3 domaines")
    assert domains["status"] == "unmet"
    assert find(result["requirements"], "L3")["status"] == "unmet"
    # L1 = 6+6+6+4+4+6+4+6 = 42; L2 core = 4+6+6+4+4 = 24; branch + elective: SI (4+4+6 = 14) then
    # NFA018 (4) = 18, or mobile/web (16) then NFA013 (4) = 20: 18; L3: one more domain, 6.
    assert result["missing_ects"] == 42 + 24 + 14 + 4 + 6


def test_licence_elective_shared_with_a_branch_in_progress(catalog):
    # NFA013 registered, the web branch done: the elective is in progress; nothing else missing in L2
    learner = record(passed(*L1, *L2_CORE, *BRANCHES["Parcours Web"]) + registered("NFA013"))
    l2 = find(run(catalog, "LG02501A", learner)["requirements"], "L2")
    assert l2["status"] == "in_progress"
    assert find(l2, "Une UE")["status"] == "in_progress"


# --- the engineering degree CYC9106A: 0-ECTS activities -------------------------------------------


def test_engineer_short_of_a_zero_ects_activity(catalog):
    # every unit of the tree validated but UAAD91 (0 ECTS, mandatory in 2e année): nothing to
    # pay, yet not complete; registered, it is in progress
    engineer = program(catalog, "CYC9106A")
    everything = sorted(set(unit_codes(engineer.requirements)) - {"UAAD91"})
    activities = [code for code in everything if code.startswith("UA")]
    done = passed(*(code for code in everything if code not in activities)) + decided(*activities)
    result = run(catalog, "CYC9106A", record(done))
    assert result["status"] == "incomplete" and result["missing_ects"] == 0
    assert find(result["requirements"], "2e année")["status"] == "unmet"
    result = run(catalog, "CYC9106A", record(done + registered("UAAD91")))
    assert result["status"] == "in_progress" and result["missing_ects"] == 0
    result = run(catalog, "CYC9106A", record(done + decided("UAAD91")))
    assert result["status"] == "complete" and result["missing_ects"] == 0


# --- the RNCP title CPN0400A ---------------------------------------------------------------------

CPN_MANDATORY = ["FPG102", "FPG106", "FPG107", "DSY101", "FPG108", "FPG105"]  # 6+6+6+6+4+4 = 32, + UA232B 18


@pytest.mark.parametrize(
    ("choice", "status", "missing"),
    [
        (["DSY005", "FAD142"], "complete", 0),  # 6 + 6 = 12 >= 10
        (["DSY005", "FPG117"], "complete", 0),  # 6 + 4 = 10, exactly
        (["FPG117", "FPG226", "FPG225"], "complete", 0),  # 4 + 4 + 2 = 10
        (["DSY005", "FPG225"], "incomplete", 4),  # 8: the cheapest addition is a 4-ECTS unit
        (["FPG225"], "incomplete", 8),  # 2: 4 + 4 more
        (["FPG117"], "incomplete", 6),  # 4: 4 + 2 more (FPG226 + FPG225) or 6
        ([], "incomplete", 10),
    ],
)
def test_rncp_title_choice_of_ten_credits(catalog, choice, status, missing):
    learner = record(passed(*CPN_MANDATORY, *choice) + decided("UA232B"))
    result = run(catalog, "CPN0400A", learner)
    assert result["status"] == status
    assert result["missing_ects"] == missing
    group = find(result["requirements"], "Choix")
    assert group["kind"] == "credits"
    assert group["status"] == ("met" if status == "complete" else "unmet")


def test_rncp_title_from_nothing(catalog):
    # 50 mandatory + 10 of choice = 60 (6 + 4, or 4 + 4 + 2)
    assert run(catalog, "CPN0400A", record())["missing_ects"] == 60


def test_credit_for_another_programme_is_unused_nowhere(catalog):
    # a VES for the master does not count in the certificate, and is not "unused" there
    learner = record(passed("MNP214", "MNP215"), [CreditEntry("TDD204", "ves", "MR12202A", date(2025, 1, 5))])
    certificate = run(catalog, "CS6800A", learner)
    assert certificate["status"] == "incomplete" and certificate["missing_ects"] == 4
    assert certificate["unused"] == []
    master = run(catalog, "MR12202A", learner)
    assert "TDD204" in applied_units(find(master["requirements"], "Quatre UE"))
