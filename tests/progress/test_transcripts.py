"""The learner-record reader (formats.md section 2): strict, every problem at once, FILE:LINE."""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lms.progress.audit.records import CreditEntry, ExceptionEntry, LearnerRecord, ResultEntry
from lms.progress.audit.transcripts import TranscriptError, read_transcript

SPEC_EXAMPLE = """\
learner: "100234X"            # the learner's number
as_of: 2026-06-30             # optional; the audit date (default: today)
results:                      # exam results and activity decisions
  - {unit: MNP213, grade: 12.5, date: 2025-06-13, session: 1}
  - {unit: PRS201, grade: 8,    date: 2025-01-24, session: 1}
  - {unit: PRS201, grade: 11,   date: 2025-04-16, session: 2}   # best grade counts
  - {unit: UAIP1M, status: validated, date: 2025-09-01}         # a UA decided without a grade
  - {unit: GDN217, status: registered}                          # taking it now
credits:                      # credit granted without an exam
  - {unit: CFA109, source: ves, program: MR12202A, date: 2024-11-02}   # VES: this programme only
  - {unit: DSY118, source: vae, date: 2024-06-20}
  - {unit: ANG330, source: dispense, date: 2024-06-20}
  - {unit: GDN100, source: transfer, date: 2023-09-01}
exceptions:                   # decisions for one learner in one programme
  - {program: MR12202A, substitute: GDN216, for: PRS215, reason: "jury 2026-06"}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def one_problem(path: Path) -> str:
    found = problems(path)
    assert len(found) == 1, found
    return found[0]


# --- reading -------------------------------------------------------------------------------------


def test_the_spec_example_reads_to_typed_entries(tmp_path):
    record = read_transcript(write(tmp_path, "t.yaml", SPEC_EXAMPLE))
    assert record == LearnerRecord(
        learner="100234X",
        as_of=date(2026, 6, 30),
        results=(
            ResultEntry("MNP213", Decimal("12.5"), None, date(2025, 6, 13), 1),
            ResultEntry("PRS201", Decimal("8"), None, date(2025, 1, 24), 1),
            ResultEntry("PRS201", Decimal("11"), None, date(2025, 4, 16), 2),
            ResultEntry("UAIP1M", None, "validated", date(2025, 9, 1), None),
            ResultEntry("GDN217", None, "registered", None, None),
        ),
        credits=(
            CreditEntry("CFA109", "ves", "MR12202A", date(2024, 11, 2)),
            CreditEntry("DSY118", "vae", None, date(2024, 6, 20)),
            CreditEntry("ANG330", "dispense", None, date(2024, 6, 20)),
            CreditEntry("GDN100", "transfer", None, date(2023, 9, 1)),
        ),
        exceptions=(ExceptionEntry("MR12202A", "GDN216", "PRS215", "jury 2026-06"),),
    )


def test_grades_are_exact_decimals(tmp_path):
    record = read_transcript(
        write(
            tmp_path,
            "t.yaml",
            """\
        learner: "1X"
        results: [{unit: NFA031, grade: 12.3}, {unit: NFA032, grade: 0.1}, {unit: NFA033, grade: 20}]
        """,
        )
    )
    assert [r.grade for r in record.results] == [Decimal("12.3"), Decimal("0.1"), Decimal("20")]
    assert all(isinstance(r.grade, Decimal) for r in record.results)


def test_only_learner_is_required(tmp_path):
    record = read_transcript(write(tmp_path, "t.yml", 'learner: "1X"\nresults:\ncredits: []\n'))
    assert record == LearnerRecord("1X")


def test_json_transcript_reads_like_yaml(tmp_path):
    # Tab indentation (JSON whitespace, not YAML's), quoted dates, an exponent number, a BOM.
    text = (
        '{\n\t"learner": "100234X",\n\t"as_of": "2026-06-30",\n\t"results": [\n'
        '\t\t{"unit": "MNP213", "grade": 1.25e1, "date": "2025-06-13", "session": 1},\n'
        '\t\t{"unit": "GDN217", "status": "registered"}\n\t],\n'
        '\t"credits": [{"unit": "CFA109", "source": "ves", "program": "MR12202A", "date": "2024-11-02"}],\n'
        '\t"exceptions": [{"program": "MR12202A", "substitute": "GDN216", "for": "PRS215"}]\n}\n'
    )
    path = tmp_path / "t.json"
    path.write_text("\ufeff" + text, encoding="utf-8")
    record = read_transcript(path)
    assert record.learner == "100234X" and record.as_of == date(2026, 6, 30)
    assert record.results == (
        ResultEntry("MNP213", Decimal("12.5"), None, date(2025, 6, 13), 1),
        ResultEntry("GDN217", None, "registered", None, None),
    )
    assert record.credits == (CreditEntry("CFA109", "ves", "MR12202A", date(2024, 11, 2)),)
    assert record.exceptions == (ExceptionEntry("MR12202A", "GDN216", "PRS215", None),)


def test_other_extensions_are_read_as_yaml(tmp_path):
    assert read_transcript(write(tmp_path, "record.txt", 'learner: "1X"\n')).learner == "1X"
    assert read_transcript(write(tmp_path, "record", '{"learner": "1X"}\n')).learner == "1X"


def test_unknown_unit_codes_are_not_problems_here(tmp_path):
    record = read_transcript(
        write(
            tmp_path,
            "t.yaml",
            """\
        learner: "1X"
        results: [{unit: NOSUCH1, grade: 12}]
        credits: [{unit: NOSUCH2, source: vae}]
        exceptions: [{program: NOSUCH, substitute: NOSUCH3, for: NOSUCH4}]
        """,
        )
    )
    assert record.results[0].unit == "NOSUCH1" and record.credits[0].unit == "NOSUCH2"


# --- bad input: one test per class of problem ----------------------------------------------------


def test_unreadable_file(tmp_path):
    missing = tmp_path / "missing.yaml"
    assert one_problem(missing) == f"{missing}:0: cannot read the file: No such file or directory"
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"learner: \xff\xfe\n")
    assert one_problem(binary).startswith(f"{binary}:0: cannot read the file: ")


def test_yaml_syntax_error_names_its_line(tmp_path):
    path = write(tmp_path, "t.yaml", 'learner: "1X"\nresults:\n  - {unit: MNP213, grade: 12\n')
    problem = one_problem(path)
    assert problem.startswith(f"{path}:4: YAML syntax error: ")


def test_duplicate_key_is_a_syntax_error(tmp_path):
    path = write(tmp_path, "t.yaml", 'learner: "1X"\nresults:\n  - {unit: MNP213, grade: 12, grade: 13}\n')
    assert one_problem(path) == f"{path}:3: YAML syntax error: duplicate key 'grade'"


def test_json_syntax_error_names_its_line_and_column(tmp_path):
    path = write(tmp_path, "t.json", '{\n  "learner": "1X",\n  "results": [{"unit": "A", "grade": 12,}]\n}\n')
    assert one_problem(path) == (
        f"{path}:3: JSON syntax error: Expecting property name enclosed in double quotes (column 41)"
    )


def test_not_a_mapping_or_empty(tmp_path):
    listed = write(tmp_path, "list.yaml", "- learner: 1X\n")
    assert one_problem(listed) == (
        f"{listed}:1: a transcript must be a mapping with learner, as_of, results, credits, exceptions, not list"
    )
    empty = write(tmp_path, "empty.yaml", "# nothing\n")
    assert one_problem(empty) == f"{empty}:1: the transcript is empty (it needs at least 'learner')"


def test_unknown_keys_at_every_level(tmp_path):
    path = write(
        tmp_path,
        "t.yaml",
        """\
        learner: "1X"
        asof: 2026-06-30
        results:
          - {unit: MNP213, grade: 12, note: good}
        credits:
          - unit: CFA109
            source: vae
            decided_by: jury
        exceptions:
          - {program: MR12202A, substitute: GDN216, for: PRS215, replaces: PRS215}
        """,
    )
    assert problems(path) == [
        f"{path}:2: unknown key 'asof' in the transcript (expected one of learner, as_of, results, credits, exceptions)",
        f"{path}:4: unknown key 'note' in result of MNP213 (expected one of unit, grade, status, date, session)",
        f"{path}:8: unknown key 'decided_by' in credit of CFA109 (expected one of unit, source, program, date)",
        f"{path}:10: unknown key 'replaces' in exception in MR12202A (expected one of program, substitute, for, reason)",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("20.5", "'grade' must be from 0 to 20, not 20.5"),
        ("-1", "'grade' must be from 0 to 20, not -1"),
        ('"12"', "'grade' must be a number from 0 to 20, not '12'"),
        ("true", "'grade' must be a number from 0 to 20, not True"),
        (".nan", "'grade' must be a number from 0 to 20, not nan"),
    ],
)
def test_grade_not_a_number_from_0_to_20(tmp_path, value, message):
    path = write(tmp_path, "t.yaml", f'learner: "1X"\nresults:\n  - unit: MNP213\n    grade: {value}\n')
    assert one_problem(path) == f"{path}:4: result of MNP213: {message}"


def test_unknown_status(tmp_path):
    path = write(tmp_path, "t.yaml", 'learner: "1X"\nresults: [{unit: MNP213, status: passed}]\n')
    assert one_problem(path) == (
        f"{path}:2: result of MNP213: 'status' must be one of validated, failed, absent, registered, not 'passed'"
    )


@pytest.mark.parametrize("value", ["3", "0", '"1"', "1.5"])
def test_session_is_1_or_2(tmp_path, value):
    path = write(tmp_path, "t.yaml", f'learner: "1X"\nresults: [{{unit: MNP213, grade: 12, session: {value}}}]\n')
    assert one_problem(path).startswith(f"{path}:2: result of MNP213: 'session' must be 1 or 2, not ")


def test_dates_that_are_not_dates(tmp_path):
    path = write(
        tmp_path,
        "t.yaml",
        """\
        learner: "1X"
        as_of: 2026-02-30
        results:
          - {unit: MNP213, grade: 12, date: yesterday}
          - {unit: MNP214, grade: 12, date: 2025-06-13 10:00:00}
        credits:
          - {unit: CFA109, source: vae, date: "13/06/2025"}
        """,
    )
    assert problems(path) == [
        f"{path}:2: 'as_of' must be a date such as 2025-06-13, not '2026-02-30'",
        f"{path}:4: result of MNP213: 'date' must be a date such as 2025-06-13, not 'yesterday'",
        f"{path}:5: result of MNP214: 'date' must be a date such as 2025-06-13, not '2025-06-13T10:00:00'",
        f"{path}:7: credit of CFA109: 'date' must be a date such as 2025-06-13, not '13/06/2025'",
    ]


def test_unknown_credit_source(tmp_path):
    path = write(tmp_path, "t.yaml", 'learner: "1X"\ncredits: [{unit: CFA109, source: gift}]\n')
    assert one_problem(path) == (
        f"{path}:2: credit of CFA109: 'source' must be one of ves, vae, dispense, transfer, not 'gift'"
    )


def test_ves_credit_names_its_programme(tmp_path):
    path = write(tmp_path, "t.yaml", 'learner: "1X"\ncredits:\n  - {unit: CFA109, source: ves, date: 2024-11-02}\n')
    assert one_problem(path) == f"{path}:3: credit of CFA109: a VES credit must name its 'program'"


def test_result_without_grade_or_status(tmp_path):
    path = write(tmp_path, "t.yaml", 'learner: "1X"\nresults:\n  - {unit: MNP213, date: 2025-06-13}\n')
    assert one_problem(path) == f"{path}:3: result of MNP213 has neither 'grade' nor 'status'"


def test_missing_required_keys(tmp_path):
    path = write(
        tmp_path,
        "t.yaml",
        """\
        results:
          - {grade: 12}
        credits:
          - {date: 2024-06-20}
        exceptions:
          - {reason: none given}
        """,
    )
    assert problems(path) == [
        f"{path}:1: the transcript lacks 'learner'",
        f"{path}:2: result lacks 'unit'",
        f"{path}:4: credit lacks 'unit'",
        f"{path}:4: credit lacks 'source'",
        f"{path}:6: exception lacks 'program'",
        f"{path}:6: exception lacks 'substitute'",
        f"{path}:6: exception lacks 'for'",
    ]


def test_learner_number_must_be_text(tmp_path):
    path = write(tmp_path, "t.yaml", "learner: 100234\n")
    assert one_problem(path) == (
        f"{path}:1: 'learner' must be a learner number as text (quote it: \"100234X\"), not 100234"
    )


def test_sections_and_entries_have_the_right_shape(tmp_path):
    path = write(
        tmp_path,
        "t.yaml",
        """\
        learner: "1X"
        results: MNP213
        credits:
          - CFA109
        exceptions:
          - {program: MR12202A, substitute: PRS215, for: PRS215}
        """,
    )
    assert problems(path) == [
        f"{path}:2: 'results' must be a list",
        f"{path}:3: 'credits': entry 1 must be a mapping, not 'CFA109'",
        f"{path}:6: exception in MR12202A: 'substitute' and 'for' are the same unit PRS215",
    ]


def test_every_problem_is_reported_at_once_in_line_order(tmp_path):
    path = write(
        tmp_path,
        "t.yaml",
        """\
        learnr: 12
        results:
          - {unit: MNP213, grade: 22, session: 3}
          - {unit: PRS201}
        credits:
          - {unit: CFA109, source: ves}
        """,
    )
    found = problems(path)
    assert len(found) == 6, found
    lines = [int(problem.split(":")[1]) for problem in found]
    assert lines == sorted(lines) == [1, 1, 3, 3, 4, 6]


def test_deep_nesting_is_refused_cleanly(tmp_path):
    yaml_path = write(tmp_path, "t.yaml", 'learner: "1X"\nresults: ' + "[" * 100 + "]" * 100 + "\n")
    assert one_problem(yaml_path) == f"{yaml_path}:2: YAML syntax error: nested more than 64 levels deep"
    json_path = write(tmp_path, "t.json", '{"learner": "1X", "results": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert one_problem(json_path) == f"{json_path}:0: JSON syntax error: nested too deeply"


def test_non_finite_grades_are_refused(tmp_path):
    path = write(tmp_path, "t.yaml", 'learner: "1X"\nresults:\n  - {unit: MNP213, grade: .inf}\n')
    assert one_problem(path) == f"{path}:3: result of MNP213: 'grade' must be a number from 0 to 20, not inf"
    json_path = write(tmp_path, "t.json", '{"learner": "1X", "results": [{"unit": "MNP213", "grade": NaN}]}')
    assert (
        one_problem(json_path) == f"{json_path}:1: result of MNP213: 'grade' must be a number from 0 to 20, not 'NaN'"
    )
