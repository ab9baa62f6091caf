"""Free slots (formats.md section 1, ``{slot: CODE, ects: X}``): met only by an exception whose
``for`` is the slot, with a validated (or registered) substitute; worth the slot's ECTS; an unfilled
slot counts its ECTS in ``missing_ects``. The loader checks slot codes like unit codes, unique in
the programme and never a unit of the catalogue, with ``FILE:LINE`` problems."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from lms.progress.audit.catalogue import CatalogError, read_catalog
from lms.progress.audit.engine import audit
from lms.progress.audit.records import ExceptionEntry, LearnerRecord, ResultEntry
from tests.progress.test_engine_properties import AS_OF, PROGRAM, UNITS, A, B, C, D, make_program, node_at, ok, reg

SLOT = "PRG01X1"


def run(tree, results=(), exceptions=()):
    record = LearnerRecord("100234X", AS_OF, tuple(results), (), tuple(exceptions))
    return audit(make_program(tree), UNITS, [], record, AS_OF)


def fills(substitute: str, slot: str = SLOT, program: str = PROGRAM) -> ExceptionEntry:
    return ExceptionEntry(program, substitute, slot, "accord de l'enseignant")


def test_an_unfilled_slot_is_unmet_and_counts_its_ects_as_missing():
    result = run({"all": [A, {"slot": SLOT, "ects": 12, "label": "12 crédits après accord"}]}, [ok(A)])
    assert result["status"] == "incomplete"
    assert result["missing_ects"] == 12
    slot = node_at(result, 1)
    assert slot == {
        "label": "12 crédits après accord",
        "kind": "slot",
        "slot": SLOT,
        "ects": 12,
        "status": "unmet",
        "earned_ects": 0,
        "in_progress_ects": 0,
        "applied": [],
        "children": [],
    }
    assert SLOT in result["to_complete"]


def test_a_validated_unit_alone_never_fills_a_slot():
    # C is validated but no exception names the slot: C stays unused, the slot unmet
    result = run({"all": [{"slot": SLOT, "ects": 3}]}, [ok(C)])
    assert node_at(result, 0)["status"] == "unmet"
    assert result["unused"] == [C]


def test_an_exception_naming_the_slot_fills_it_with_the_slot_s_ects():
    result = run({"all": [A, {"slot": SLOT, "ects": 12}]}, [ok(A), ok(C)], [fills(C)])  # C is worth 3
    assert result["status"] == "complete"
    assert result["earned_ects"] == 6 + 12
    assert result["missing_ects"] == 0
    assert node_at(result, 1)["applied"] == [{"unit": C, "via": "substitution", "ects": 12, "for": SLOT}]
    assert node_at(result, 1)["earned_ects"] == 12


def test_a_decided_ects_overrides_the_slot_s_worth():
    swap = ExceptionEntry(PROGRAM, C, SLOT, "jury", ects=Decimal(3))
    result = run({"credits": 9, "of": [A, {"slot": SLOT, "ects": 6}]}, [ok(A), ok(C)], [swap])
    assert result["status"] == "complete" and result["earned_ects"] == 9


def test_a_registered_substitute_puts_the_slot_in_progress():
    result = run({"all": [{"slot": SLOT, "ects": 6}]}, [reg(D)], [fills(D)])
    assert result["status"] == "in_progress"
    assert node_at(result, 0)["status"] == "in_progress" and result["in_progress_ects"] == 6


def test_an_exception_for_another_programme_or_slot_does_not_fill_it():
    tree = {"all": [{"slot": SLOT, "ects": 6}]}
    assert run(tree, [ok(C)], [fills(C, program="PRG02")])["status"] == "incomplete"
    other = run(tree, [ok(C)], [fills(C, slot="PRG01X9")])
    assert other["status"] == "incomplete"
    assert "unknown unit PRG01X9: ignored" in other["warnings"]


def test_a_substitute_fills_one_leaf_only_slot_or_unit():
    # B stands for the slot and is also a leaf itself: it meets one of the two, never both
    result = run({"all": [B, {"slot": SLOT, "ects": 6}]}, [ok(B)], [fills(B)])
    assert result["status"] == "incomplete"
    assert result["missing_ects"] == 6  # B meets its own leaf; the slot still waits for another substitute
    assert sum(leaf["status"] == "met" for leaf in result["requirements"]["children"]) == 1


def test_a_slot_in_a_choice_competes_with_units():
    tree = {"choose": 1, "of": [A, {"slot": SLOT, "ects": 2}]}
    assert run(tree)["missing_ects"] == 2  # the cheapest way: fill the slot
    assert run(tree, [ok(D)], [fills(D)])["status"] == "complete"


def test_a_zero_ects_slot_still_needs_its_exception():
    result = run({"all": [{"slot": SLOT, "ects": 0}]})
    assert result["status"] == "incomplete" and result["missing_ects"] == 0


# --- the loader --------------------------------------------------------------------------------


def write(tmp_path: Path, requirements: str, units: str = "") -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(
        "units:\n"
        "  - {code: NFA001, title: Algo, ects: 6, kind: UE}\n"
        f"{units}"
        "programs:\n"
        "  - code: P1\n"
        '    version: "1"\n'
        "    title: Programme\n"
        "    kind: doctorat\n"
        "    ects: 12\n"
        f"    requirements:\n{requirements}",
        encoding="utf-8",
    )
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        read_catalog([path])
    return caught.value.problems


def test_the_loader_reads_slots_and_the_doctorat_kind(tmp_path):
    path = write(tmp_path, "      all:\n        - NFA001\n        - {slot: P1X1, ects: 6, label: libre}\n")
    program = read_catalog([path]).programs[("P1", "1")]
    assert program.kind == "doctorat"
    assert program.requirements == {"all": [{"unit": "NFA001"}, {"slot": "P1X1", "ects": 6, "label": "libre"}]}
    assert program.slots == {"P1X1": Decimal(6)}


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        (
            "      all:\n        - NFA001\n        - {slot: p1x1, ects: 6}\n",
            "catalogue.yaml:12: program P1: invalid slot code 'p1x1' (expected [A-Z0-9]{3,12})",
        ),
        ("      all:\n        - {slot: P1X1}\n", "catalogue.yaml:11: program P1: 'ects' is required"),
        (
            "      all:\n        - {slot: P1X1, ects: -2}\n",
            "catalogue.yaml:11: program P1: 'ects' of a slot must be a whole or half number >= 0, not -2",
        ),
        (
            "      all:\n        - {slot: P1X1, ects: 6, unit: NFA001}\n",
            "catalogue.yaml:11: program P1: unknown key(s) beside 'unit': ects, slot",
        ),
        (
            "      all:\n        - {slot: P1X1, ects: 6, of: [NFA001]}\n",
            "catalogue.yaml:11: program P1: unknown key(s) beside 'slot': of",
        ),
        (
            "      all:\n        - {slot: P1X1, ects: 6}\n        - label: deux\n          all:\n"
            "            - {slot: P1X1, ects: 3}\n",
            "catalogue.yaml:14: program P1: slot P1X1 appears more than once in the programme",
        ),
        (
            "      all:\n        - {slot: NFA001, ects: 6}\n",
            "catalogue.yaml:11: slot NFA001 is also a unit of the catalogue: a slot names no unit",
        ),
        (
            "      all:\n        - label: compensée\n          compensation: {min_average: 10}\n"
            "          all: [NFA001, {slot: P1X1, ects: 6}]\n",
            "catalogue.yaml:11: program P1: compensation is allowed only on an 'all' group of unit leaves",
        ),
    ],
)
def test_bad_slots_are_told_at_their_line(tmp_path, tree, expected):
    told = problems(write(tmp_path, tree))
    assert any(line.endswith("/" + expected) for line in told), told


# --- the whole real Paris catalogue --------------------------------------------------------------

PARIS = Path(__file__).resolve().parents[2] / "lms" / "catalog" / "paris"


@pytest.fixture(scope="module")
def paris():
    return read_catalog([PARIS, PARIS / "programs"])


def test_the_whole_paris_catalogue_reads(paris):
    assert len(paris.programs) == 355
    assert len(paris.units) == 2270
    kinds = {program.kind for program in paris.programs.values()}
    assert "doctorat" in kinds
    assert sum(len(program.slots) for program in paris.programs.values()) == 36


def test_every_paris_programme_audits_and_slots_are_reported(paris):
    validated = sorted(paris.units)[::7]  # a seventh of the catalogue validated, the same every run
    record = LearnerRecord("100234X", AS_OF, tuple(ok(code) for code in validated), (), ())
    for program in paris.programs.values():
        result = audit(program, paris.units, paris.equivalences, record, AS_OF)
        assert result["status"] in {"complete", "in_progress", "incomplete"}, program.code
        assert result["missing_ects"] is not None, program.code  # every real programme can be completed
        reported = _slots(result)
        assert set(reported) == set(program.slots), program.code
        assert all(status == "unmet" for status in reported.values()), program.code  # no exception fills them
        assert set(result["to_complete"]) <= set(paris.units) | set(program.slots), program.code


def _slots(result) -> dict[str, str]:
    found, stack = {}, [result["requirements"]]
    while stack:
        node = stack.pop()
        if node["kind"] == "slot":
            found[node["slot"]] = node["status"]
        stack += node["children"]
    return found


def test_ranking_the_whole_catalogue_equals_auditing_each_programme(paris):
    """rank() audits only the programmes the learner's units touch and reuses the audit of someone
    new elsewhere: the results must be those of auditing every programme."""
    from lms.progress.audit.ranking import newest_versions, rank
    from lms.progress.audit.records import CreditEntry

    codes = sorted(paris.units)
    record = LearnerRecord(
        "100234X",
        AS_OF,
        (ok(codes[10]), reg(codes[200]), ok(codes[400], grade=5), ResultEntry(codes[600], None, "absent")),
        (CreditEntry(codes[800], "transfer"),),
        (ExceptionEntry("CPN7400A", codes[10], "CPN7400AX1", "accord"),),
    )
    for _ in range(2):  # the second time from the reused audits
        ranked = {
            r.program.code: r.result
            for r in rank(paris.programs.values(), paris.units, paris.equivalences, record, AS_OF)
        }
        for code, program in newest_versions(paris.programs.values()).items():
            assert ranked[code] == audit(program, paris.units, paris.equivalences, record, AS_OF), code


def test_a_unit_named_like_a_known_slot_is_refused(tmp_path):
    path = write(tmp_path, "      all: [NFA001]\n", units="  - {code: CPN7400AX1, title: Libre, ects: 6, kind: UE}\n")
    with pytest.raises(CatalogError) as caught:
        read_catalog([path], known_slots={"CPN7400AX1"})
    assert any(
        line.endswith(
            "catalogue.yaml:3: unit CPN7400AX1 is named like a free slot of a programme: a slot names no unit"
        )
        for line in caught.value.problems
    ), caught.value.problems
