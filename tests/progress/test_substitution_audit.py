"""The pure audit counts what a substitution decides: the ECTS the director confirmed for a
substitute worth fewer than the unit it replaces, and a substitute only registered for as in
progress until it is validated (formats.md sections 2 and 3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lms.progress.audit.engine import audit
from lms.progress.audit.records import ExceptionEntry, LearnerRecord
from tests.progress.test_engine_properties import AS_OF, PROGRAM, UNITS, A, B, C, D, make_program, node_at, ok, reg


def run(tree: Any, results, exceptions) -> dict[str, Any]:
    record = LearnerRecord("100234X", AS_OF, tuple(results), (), tuple(exceptions))
    return audit(make_program(tree), UNITS, [], record, AS_OF)


def test_a_substitution_without_decided_ects_is_worth_the_replaced_unit():
    result = run({"all": [A]}, [ok(C)], [ExceptionEntry(PROGRAM, C, A, "jury")])  # A = 6, C = 3
    assert result["status"] == "complete" and result["earned_ects"] == 6
    assert node_at(result, 0)["applied"] == [{"unit": C, "via": "substitution", "ects": 6, "for": A}]


def test_a_substitution_counts_exactly_the_ects_its_decision_says():
    swap = ExceptionEntry(PROGRAM, C, A, "jury", ects=Decimal(3))
    result = run({"all": [A, D]}, [ok(C), ok(D)], [swap])
    assert result["status"] == "complete"
    assert result["earned_ects"] == 3 + 4
    leaf = node_at(result, 0)
    assert leaf["earned_ects"] == 3
    assert leaf["applied"] == [{"unit": C, "via": "substitution", "ects": 3, "for": A}]


def test_decided_ects_decide_a_credits_condition():
    # A = 6 replaced by C counted 3: with B (3) that is 6, short of 7.5; counted 4.5, it is enough
    tree = {"credits": 7.5, "of": [A, B]}
    short = run(tree, [ok(C), ok(B)], [ExceptionEntry(PROGRAM, C, A, "jury", ects=Decimal(3))])
    assert short["requirements"]["status"] == "unmet" and short["earned_ects"] == 6
    enough = run(tree, [ok(C), ok(B)], [ExceptionEntry(PROGRAM, C, A, "jury", ects=Decimal("4.5"))])
    assert enough["status"] == "complete" and enough["earned_ects"] == Decimal("7.5")


def test_a_registered_substitute_counts_in_progress_until_validated():
    swap = ExceptionEntry(PROGRAM, C, A, "jury", ects=Decimal(3))
    pending = run({"all": [A]}, [reg(C)], [swap])
    assert pending["status"] == "in_progress"
    assert pending["earned_ects"] == 0 and pending["in_progress_ects"] == 3
    assert node_at(pending, 0)["applied"][0]["in_progress"] is True
    done = run({"all": [A]}, [ok(C)], [swap])
    assert done["status"] == "complete" and done["earned_ects"] == 3 and done["in_progress_ects"] == 0
