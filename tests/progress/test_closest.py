"""The order of the "Closest credentials" page (:func:`lms.progress.audit.ranking.closest_key`):
programmes where the learner holds a unit that counts come first, then by what is left and the
share done; ``lms rank`` keeps its own order (formats.md section 3)."""

from __future__ import annotations

from datetime import date

from lms.progress.audit import ranking
from lms.progress.audit.catalogue import EquivalenceDef, ProgramDef, UnitDef
from lms.progress.audit.records import CreditEntry, LearnerRecord, ResultEntry
from lms.progress.audit.requirements import normalise

AS_OF = date(2026, 11, 22)
UNITS = {
    code: UnitDef(code, code, 6, "UE", None)
    for code in ("BIG101", "BIG102", "BIG103", "BIG104", "BIG105", "BIG106", "SML101", "EQV101", "EQV102")
}


def program(code: str, kind: str, tree: dict) -> ProgramDef:
    return ProgramDef(code, "1", code, kind, None, None, 36, 10, None, normalise(tree))


BIG = program("MB0001A", "master", {"all": [f"BIG10{i}" for i in range(1, 7)]})  # 36 ECTS
SMALL = program("CS0001A", "certificat_competence", {"all": ["SML101"]})  # 6 ECTS
EMPTY = program("CE0001A", "certificat_competence", {"credits": 0, "of": ["SML101"]})  # nothing to validate
WELL_INTO_BIG = LearnerRecord(
    "X",
    results=(ResultEntry("BIG101", 12), ResultEntry("BIG102", 14), ResultEntry("BIG103", 11)),
    credits=(CreditEntry("BIG104", "vae"),),
)


def closest(programs, record, equivalences=()) -> list[ranking.Ranked]:
    return sorted(ranking.rank(programs, UNITS, list(equivalences), record, AS_OF), key=ranking.closest_key)


def test_a_programme_well_into_comes_before_one_where_nothing_counts():
    ranked = closest([SMALL, BIG, EMPTY], WELL_INTO_BIG)
    assert [r.program.code for r in ranked] == ["MB0001A", "CE0001A", "CS0001A"]
    big, empty, small = ranked
    assert (big.units_counting, big.result["missing_ects"], big.share_done) == (4, 12, 24 / 36)
    assert (empty.units_counting, empty.result["missing_ects"], empty.share_done) == (0, 0, 1.0)
    assert (small.units_counting, small.result["missing_ects"], small.share_done) == (0, 6, 0.0)
    # ``lms rank`` keeps its order: missing_ects, then code
    rows = ranking.rank_rows([SMALL, BIG, EMPTY], UNITS, [], WELL_INTO_BIG, AS_OF)
    assert [(row["program"], row["missing_ects"]) for row in rows] == [("CE0001A", 0), ("CS0001A", 6), ("MB0001A", 12)]


def test_inside_a_group_by_what_is_left_then_share_done_then_code():
    # both programmes lack 12 ECTS; the learner has done more of the first
    six = program("MA0001A", "master", {"all": [f"BIG10{i}" for i in range(1, 7)]})
    four = program("MC0001A", "master", {"all": ["BIG101", "BIG102", "BIG105", "BIG106"]})
    twin = program("MD0001A", "master", {"all": ["BIG101", "BIG102", "BIG105", "BIG106"]})
    ranked = closest([twin, four, six], WELL_INTO_BIG)
    assert [(r.program.code, r.result["missing_ects"]) for r in ranked] == [
        ("MA0001A", 12),  # 24 of 36 done
        ("MC0001A", 12),  # 12 of 24 done, same share as its twin: by code
        ("MD0001A", 12),
    ]
    assert [r.share_done for r in ranked] == [24 / 36, 0.5, 0.5]
    # what is left comes before the share done
    three = program("MZ0001A", "master", {"all": ["BIG101", "BIG105"]})  # 6 left, half done
    assert [r.program.code for r in closest([six, three], WELL_INTO_BIG)] == ["MZ0001A", "MA0001A"]


def test_programmes_that_cannot_be_completed_come_last_of_their_group():
    broken = program("MX0001A", "master", {"all": ["BIG101", "NOPE999"]})  # a unit not in the catalogue
    ranked = closest([broken, BIG, SMALL], WELL_INTO_BIG)
    assert [r.program.code for r in ranked] == ["MB0001A", "MX0001A", "CS0001A"]
    assert ranked[1].result["missing_ects"] is None and ranked[1].share_done is None
    assert ranked[1].units_counting == 1


def test_units_counting_are_the_learners_units_applied_to_met_leaves():
    tree = {"all": ["BIG101", "BIG102", "BIG103", "BIG105"]}
    record = LearnerRecord(
        "X",
        results=(
            ResultEntry("BIG101", 12),  # counts
            ResultEntry("BIG102", 6),  # failed: does not count
            ResultEntry("BIG103", status="registered"),  # being taken: does not count yet
            ResultEntry("EQV101", 13),  # with EQV102, counts as BIG105: two units
            ResultEntry("SML101", 15),  # validated but of no use here
        ),
        credits=(CreditEntry("EQV102", "dispense"),),
    )
    (only,) = ranking.rank(
        [program("MQ0001A", "master", tree)], UNITS, [EquivalenceDef(("EQV101", "EQV102"), "BIG105")], record, AS_OF
    )
    assert only.result["earned_ects"] == 12 and only.units_counting == 3
    assert only.share_done == 12 / 24
    nothing = LearnerRecord("X", results=(ResultEntry("BIG103", status="registered"), ResultEntry("BIG101", 4)))
    (none,) = ranking.rank([program("MQ0001A", "master", tree)], UNITS, [], nothing, AS_OF)
    assert none.units_counting == 0 and none.share_done == 0.0
