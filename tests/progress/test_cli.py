"""``lms audit`` and ``lms rank`` (formats.md section 3): JSON out, exit 2 with FILE:LINE on bad input.

File mode needs no database: the app these tests use points at a SQLite file in a folder that does
not exist, so any connection attempt would fail (and one test runs the real ``lms`` script so).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.app import create_app
from lms.demo import CATALOG_DIR
from lms.extensions import db
from lms.progress.cli import spread_catalog_paths
from tests.helpers import count_statements

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROBLEM_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<message>.+)$")

CERTIFICATE = """\
learner: "900001A"
as_of: 2026-06-30
results:
  - {unit: MNP214, grade: 12, date: 2025-06-13, session: 1}
  - {unit: MNP215, grade: 10, date: 2025-06-13, session: 1}
  - {unit: TDD204, grade: 8, date: 2025-01-24, session: 1}
  - {unit: TDD204, grade: 15.5, date: 2025-04-16, session: 2}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files_app(tmp_path_factory):
    nowhere = tmp_path_factory.mktemp("nodb") / "missing" / "folder" / "lms.sqlite3"
    return create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": f"sqlite:///{nowhere}"})


@pytest.fixture
def run(files_app):
    runner = files_app.test_cli_runner()

    def invoke(*args: str | Path):
        return runner.invoke(args=[str(a) for a in args])

    return invoke


@pytest.fixture
def certificate(tmp_path) -> Path:
    return write(tmp_path, "certificate.yaml", CERTIFICATE)


def assert_bad_input(result, *expected: str) -> list[str]:
    """Exit 2, nothing on stdout, every stderr line ``FILE:LINE: message``, ``expected`` among them."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines, "no problem reported"
    for line in lines:
        assert PROBLEM_LINE.match(line), line
    assert "Traceback" not in result.stderr
    for wanted in expected:
        assert wanted in lines, (wanted, lines)
    return lines


# --- --catalog PATH... ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "seen"),
    [
        (["--catalog", "a"], ["--catalog", "a"]),
        (["--catalog", "a", "b", "--program", "X"], ["--catalog", "a", "--catalog", "b", "--program", "X"]),
        (["--catalog=a", "b", "c"], ["--catalog=a", "--catalog", "b", "--catalog", "c"]),
        (["--catalog", "a", "--catalog", "b"], ["--catalog", "a", "--catalog", "b"]),
        (["--program", "X", "--catalog", "-odd", "b"], ["--program", "X", "--catalog", "-odd", "--catalog", "b"]),
        (["--catalog", "a", "--", "b"], ["--catalog", "a", "--", "b"]),
        (["--transcript", "t", "stray"], ["--transcript", "t", "stray"]),
    ],
)
def test_catalog_paths_after_one_flag_become_repeated_flags(given, seen):
    assert spread_catalog_paths(given) == seen


def test_help_documents_the_catalog_paths(run):
    result = run("audit", "--help")
    assert result.exit_code == 0
    assert "--catalog PATH..." in result.stdout
    assert "list several paths after it" in " ".join(result.stdout.split())


# --- lms audit from files ------------------------------------------------------------------------


def test_audit_of_a_complete_certificate(run, certificate):
    result = run("audit", "--catalog", CATALOG_DIR, "--transcript", certificate, "--program", "CS6800A")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    audit = json.loads(result.stdout)
    assert {
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
        "warnings",
    } <= set(audit)
    assert audit["program"] == "CS6800A"
    assert audit["version"] == "20261004"
    assert audit["as_of"] == "2026-06-30"  # the transcript's
    assert audit["status"] == "complete"
    assert audit["nominal_ects"] == 12
    assert audit["earned_ects"] == 12
    assert audit["in_progress_ects"] == 0
    assert audit["missing_ects"] == 0
    assert audit["unused"] == []
    assert audit["warnings"] == []
    root = audit["requirements"]
    assert root["kind"] == "all" and root["status"] == "met" and root["earned_ects"] == 12
    assert root["label"] == "Certificat de spécialisation"
    leaves = {child["unit"]: child for child in root["children"]}
    assert set(leaves) == {"MNP214", "MNP215", "TDD204"}
    for code, leaf in leaves.items():
        assert leaf["kind"] == "unit" and leaf["status"] == "met" and leaf["children"] == []
        assert leaf["applied"] == [{"unit": code, "via": "result", "ects": 4}]
    # Printed as formats.md shows it: indented, non-ASCII kept.
    assert '\n  "program": "CS6800A"' in result.stdout
    assert "spécialisation" in result.stdout


def test_audit_with_registered_and_missing_units(run, tmp_path):
    transcript = write(
        tmp_path,
        "t.json",
        json.dumps(
            {
                "learner": "900001A",
                "results": [
                    {"unit": "MNP214", "grade": 12},
                    {"unit": "MNP215", "status": "registered"},
                    {"unit": "TDD204", "grade": 6},
                    {"unit": "NOSUCH9", "grade": 15},
                ],
            }
        ),
    )
    result = run(
        "audit", "--catalog", CATALOG_DIR, "--transcript", transcript, "--program", "CS6800A", "--as-of", "2026-01-15"
    )
    assert result.exit_code == 0, result.stderr
    audit = json.loads(result.stdout)
    assert audit["as_of"] == "2026-01-15"
    assert audit["status"] == "incomplete"
    assert audit["earned_ects"] == 4
    assert audit["in_progress_ects"] == 4
    assert audit["missing_ects"] == 8  # MNP215 (registered, not validated) and TDD204
    assert any("NOSUCH9" in warning for warning in audit["warnings"])


def test_as_of_option_wins_over_the_transcript(run, certificate):
    result = run(
        "audit", "--catalog", CATALOG_DIR, "--transcript", certificate, "--program", "CS6800A", "--as-of", "2027-01-31"
    )
    assert json.loads(result.stdout)["as_of"] == "2027-01-31"


def test_catalog_paths_in_every_form(run, certificate):
    units, cs = CATALOG_DIR / "units.yaml", CATALOG_DIR / "CS6800A.yaml"
    forms = [
        ("--catalog", units, cs),
        ("--catalog", units, "--catalog", cs),
        (f"--catalog={units}", cs),
        ("--catalog", CATALOG_DIR),
    ]
    outputs = set()
    for form in forms:
        result = run("audit", *form, "--transcript", certificate, "--program", "CS6800A")
        assert result.exit_code == 0, (form, result.stderr)
        outputs.add(result.stdout)
    assert len(outputs) == 1


def two_versions(folder: Path) -> Path:
    return write(
        folder,
        "catalogue.yaml",
        """\
        units:
          - {code: AAA101, title: "Un", ects: 6, kind: UE}
          - {code: AAA102, title: "Deux", ects: 6, kind: UE}
        programs:
          - {code: CC1, version: "2023", title: "Ancien", kind: certificat_competence, ects: 6,
             requirements: {all: [AAA101]}}
          - {code: CC1, version: "2024", title: "Nouveau", kind: certificat_competence, ects: 12,
             requirements: {all: [AAA101, AAA102]}}
        """,
    )


def test_newest_version_by_default_and_version_option(run, tmp_path):
    catalogue = two_versions(tmp_path)
    transcript = write(tmp_path, "t.yaml", 'learner: "1X"\nresults: [{unit: AAA101, grade: 14}]\n')
    newest = json.loads(run("audit", "--catalog", catalogue, "--transcript", transcript, "--program", "CC1").stdout)
    assert (newest["version"], newest["status"], newest["missing_ects"]) == ("2024", "incomplete", 6)
    older = json.loads(
        run("audit", "--catalog", catalogue, "--transcript", transcript, "--program", "CC1", "--version", "2023").stdout
    )
    assert (older["version"], older["status"], older["missing_ects"]) == ("2023", "complete", 0)


# --- lms rank ------------------------------------------------------------------------------------


def test_rank_lists_the_complete_certificate_first(run, certificate):
    result = run("rank", "--catalog", CATALOG_DIR, "--transcript", certificate)
    assert result.exit_code == 0, result.stderr
    ranking = json.loads(result.stdout)
    assert isinstance(ranking, list)
    assert len(ranking) == 6
    for entry in ranking:
        assert set(entry) == {"program", "version", "title", "kind", "status", "earned_ects", "missing_ects"}
    first = ranking[0]
    assert first["program"] == "CS6800A" and first["status"] == "complete" and first["missing_ects"] == 0
    assert first["kind"] == "certificat_specialisation" and first["earned_ects"] == 12
    assert {entry["program"] for entry in ranking} == {
        "MR12202A",
        "CS6800A",
        "LG02501A",
        "CPN0400A",
        "CC0400A",
        "CYC9106A",
    }
    keys = [(entry["missing_ects"] is None, entry["missing_ects"] or 0, entry["program"]) for entry in ranking]
    assert keys == sorted(keys)
    master = next(entry for entry in ranking if entry["program"] == "MR12202A")
    assert master["earned_ects"] == 12 and master["status"] == "incomplete"


def test_rank_takes_the_newest_version(run, tmp_path):
    catalogue = two_versions(tmp_path)
    transcript = write(tmp_path, "t.yaml", 'learner: "1X"\nresults: [{unit: AAA101, grade: 14}]\n')
    result = run("rank", "--catalog", catalogue, "--transcript", transcript, "--as-of", "2026-06-30")
    assert result.exit_code == 0, result.stderr
    assert [(e["program"], e["version"], e["missing_ects"]) for e in json.loads(result.stdout)] == [("CC1", "2024", 6)]


# --- bad input: exit 2, one FILE:LINE line per problem -------------------------------------------


def test_unreadable_catalogue(run, certificate, tmp_path):
    missing = tmp_path / "nowhere.yaml"
    result = run("audit", "--catalog", missing, "--transcript", certificate, "--program", "CS6800A")
    assert_bad_input(result, f"{missing}:0: cannot read the file: No such file or directory")


def test_unreadable_transcript(run, tmp_path):
    missing = tmp_path / "nowhere.yaml"
    result = run("audit", "--catalog", CATALOG_DIR, "--transcript", missing, "--program", "CS6800A")
    assert_bad_input(result, f"{missing}:0: cannot read the file: No such file or directory")
    result = run("rank", "--catalog", CATALOG_DIR, "--transcript", missing)
    assert_bad_input(result, f"{missing}:0: cannot read the file: No such file or directory")


def test_yaml_error_in_the_catalogue(run, certificate, tmp_path):
    broken = write(tmp_path, "broken.yaml", "units:\n  - {code: AAA101, title: x\n")
    result = run("audit", "--catalog", CATALOG_DIR, broken, "--transcript", certificate, "--program", "CS6800A")
    lines = assert_bad_input(result)
    assert len(lines) == 1 and lines[0].startswith(f"{broken}:3: YAML syntax error: ")


def test_yaml_and_json_errors_in_the_transcript(run, tmp_path):
    yaml_file = write(tmp_path, "t.yaml", 'learner: "1X"\nresults: [{unit: A, grade: 1}\n')
    lines = assert_bad_input(run("audit", "--catalog", CATALOG_DIR, "--transcript", yaml_file, "--program", "CS6800A"))
    assert len(lines) == 1 and lines[0].startswith(f"{yaml_file}:3: YAML syntax error: ")
    json_file = write(tmp_path, "t.json", '{\n  "learner": "1X",\n  "results": [,]\n}\n')
    lines = assert_bad_input(run("rank", "--catalog", CATALOG_DIR, "--transcript", json_file))
    assert lines == [f"{json_file}:3: JSON syntax error: Expecting value (column 15)"]


def test_unknown_keys_in_both_files_are_all_reported(run, tmp_path):
    catalogue = write(
        tmp_path,
        "extra.yaml",
        """\
        units:
          - {code: AAA101, title: "Un", ects: 6, kind: UE, colour: blue}
        """,
    )
    transcript = write(tmp_path, "t.yaml", 'learner: "1X"\nresults:\n  - {unit: AAA101, grade: 12, mark: 12}\n')
    result = run("audit", "--catalog", CATALOG_DIR, catalogue, "--transcript", transcript, "--program", "CS6800A")
    assert_bad_input(
        result,
        f"{catalogue}:2: unknown key 'colour' in unit AAA101",
        f"{transcript}:3: unknown key 'mark' in result of AAA101 (expected one of unit, grade, status, date, session)",
    )


def test_unit_of_a_tree_missing_from_the_catalogue(run, certificate, tmp_path):
    catalogue = write(
        tmp_path,
        "c.yaml",
        """\
        units:
          - {code: AAA101, title: "Un", ects: 6, kind: UE}
        programs:
          - code: CC1
            version: "2024"
            title: "Certificat"
            kind: certificat_competence
            ects: 12
            requirements:
              all:
                - AAA101
                - {unit: ZZZ999}
        """,
    )
    result = run("audit", "--catalog", catalogue, "--transcript", certificate, "--program", "CC1")
    assert_bad_input(result, f"{catalogue}:12: unit ZZZ999 is not in the catalogue")


def test_node_of_no_known_form(run, certificate, tmp_path):
    catalogue = write(
        tmp_path,
        "c.yaml",
        """\
        units:
          - {code: AAA101, title: "Un", ects: 6, kind: UE}
        programs:
          - code: CC1
            version: "2024"
            title: "Certificat"
            kind: certificat_competence
            ects: 6
            requirements:
              any: [AAA101]
        """,
    )
    lines = assert_bad_input(run("rank", "--catalog", catalogue, "--transcript", certificate))
    assert any(line.startswith(f"{catalogue}:10: program CC1: ") for line in lines), lines


def test_transcript_problems(run, tmp_path):
    transcript = write(
        tmp_path,
        "t.yaml",
        """\
        learner: "1X"
        results:
          - {unit: MNP214, grade: 21}
          - {unit: MNP215}
        credits:
          - {unit: TDD204, source: ves}
        """,
    )
    result = run("audit", "--catalog", CATALOG_DIR, "--transcript", transcript, "--program", "CS6800A")
    assert assert_bad_input(result) == [
        f"{transcript}:3: result of MNP214: 'grade' must be from 0 to 20, not 21",
        f"{transcript}:4: result of MNP215 has neither 'grade' nor 'status'",
        f"{transcript}:6: credit of TDD204: a VES credit must name its 'program'",
    ]


def test_unknown_program(run, certificate):
    result = run("audit", "--catalog", CATALOG_DIR, "--transcript", certificate, "--program", "XYZ")
    assert assert_bad_input(result) == [
        f"{CATALOG_DIR}:0: --program: unknown programme XYZ "
        "(known: CC0400A, CPN0400A, CS6800A, CYC9106A, LG02501A, MR12202A)"
    ]


def test_unknown_version(run, tmp_path, certificate):
    catalogue = two_versions(tmp_path)
    units = CATALOG_DIR / "units.yaml"
    result = run(
        "audit", "--catalog", catalogue, units, "--transcript", certificate, "--program", "CC1", "--version", "2025"
    )
    assert assert_bad_input(result) == [
        f"{catalogue}, {units}:0: --version: programme CC1 has no version 2025 (known: 2023, 2024)"
    ]


def test_usage_errors_stay_readable(run, certificate):
    cases = [
        (("audit", "--catalog", CATALOG_DIR, "--transcript", certificate), "Missing option '--program'"),
        (("audit", "--transcript", certificate, "--program", "CS6800A"), "give --catalog and --transcript"),
        (
            ("audit", "--learner", "100000W", "--transcript", certificate, "--program", "CS6800A"),
            "give either --learner, or --catalog and --transcript, not both",
        ),
        (
            (
                "audit",
                "--catalog",
                CATALOG_DIR,
                "--transcript",
                certificate,
                "--program",
                "CS6800A",
                "--as-of",
                "30/06/2026",
            ),
            "Invalid value for '--as-of'",
        ),
        (("rank", "--catalog", CATALOG_DIR), "Missing option '--transcript'"),
        (
            ("rank", "--transcript", certificate, "--as-of", "2026-06-30", "stray", "--catalog", CATALOG_DIR),
            "Got unexpected extra argument (stray)",
        ),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2, args
        assert result.stdout == ""
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_the_lms_script_audits_files_without_any_database(tmp_path, certificate):
    nowhere = tmp_path / "no" / "such" / "folder" / "lms.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_") and k != "FLASK_APP"}
    env["LMS_DATABASE_URL"] = f"sqlite:///{nowhere}"
    lms = Path(sys.executable).parent / "lms"

    def script(*args):
        return subprocess.run(
            [str(lms), *map(str, args)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    audit = script("audit", "--catalog", CATALOG_DIR, "--transcript", certificate, "--program", "CS6800A")
    assert audit.returncode == 0, audit.stderr
    assert json.loads(audit.stdout)["status"] == "complete"
    rank = script(
        "rank", "--catalog", CATALOG_DIR / "units.yaml", CATALOG_DIR / "CS6800A.yaml", "--transcript", certificate
    )
    assert rank.returncode == 0, rank.stderr
    assert [entry["program"] for entry in json.loads(rank.stdout)] == ["CS6800A"]
    bad = script("audit", "--catalog", CATALOG_DIR, "--transcript", certificate, "--program", "XYZ")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith(f"{CATALOG_DIR}:0: --program: unknown programme XYZ")
    assert "Traceback" not in bad.stderr
    assert not nowhere.parent.exists()


# --- lms audit --learner (database) --------------------------------------------------------------


def test_audit_of_the_demo_learner_from_the_database(demo_app):
    from lms.accounts.models import Learner, User
    from lms.catalog.models import Programme, ProgrammeVersion
    from lms.intakes.models import Enrolment

    with demo_app.app_context():
        learner = db.session.scalar(sa.select(Learner).join(User).where(User.email == "apprenant@example.org"))
        assert learner.learner_number == "100000W"
        enrolled = db.session.scalar(
            sa.select(ProgrammeVersion.version)
            .join(Enrolment, Enrolment.programme_version_id == ProgrammeVersion.id)
            .join(Programme)
            .where(Enrolment.learner_id == learner.id, Programme.code == "LG02501A")
        )
    result = demo_app.test_cli_runner().invoke(args=["audit", "--learner", "100000W", "--program", "LG02501A"])
    assert result.exit_code == 0, result.stderr
    audit = json.loads(result.stdout)
    assert audit["program"] == "LG02501A"
    assert audit["version"] == enrolled
    assert audit["status"] in {"complete", "in_progress", "incomplete"}
    assert audit["nominal_ects"] == 180
    assert audit["earned_ects"] > 0  # the demo learner has validated units since 2021
    assert audit["requirements"]["kind"] in {"all", "choose", "credits"}

    side = demo_app.test_cli_runner().invoke(args=["audit", "--learner", "100000W", "--program", "CC0400A"])
    assert side.exit_code == 0, side.stderr
    assert json.loads(side.stdout)["program"] == "CC0400A"


def test_database_record_matches_the_learners_rows(demo_app):
    from lms.accounts.models import Learner
    from lms.progress import queries, records
    from lms.results.models import Credit, Result, ResultStatus
    from lms.timetable.models import Registration

    with demo_app.app_context():
        learner = db.session.scalar(sa.select(Learner).where(Learner.learner_number == "100000W"))
        record = records.learner_record(learner)
        published = db.session.scalar(
            sa.select(sa.func.count(Result.id))
            .join(Registration)
            .where(Registration.learner_id == learner.id, Result.status == ResultStatus.PUBLISHED)
        )
        credits = db.session.scalar(
            sa.select(sa.func.count(Credit.id)).where(Credit.learner_id == learner.id, Credit.revoked_at.is_(None))
        )
        catalog = queries.catalogue_from_database()
    assert record.learner == "100000W"
    assert len([r for r in record.results if r.status != "registered"]) == published > 0
    assert len(record.credits) == credits > 0  # the demo learner holds a VES credit
    assert any(c.source == "ves" and c.program for c in record.credits)
    assert all(r.grade is not None or r.status for r in record.results)
    assert ("LG02501A", audit_version(catalog, "LG02501A")) in catalog.programs
    assert len(catalog.units) == 151
    assert catalog.equivalences == []  # the real catalogue has none yet: see below


def test_database_catalogue_carries_equivalences(demo_app):
    from lms.catalog.models import Equivalence, Unit
    from lms.progress import queries
    from lms.progress.audit.catalogue import EquivalenceDef, UnitDef

    with demo_app.app_context():
        codes = ["NFA031", "NFA032", "NFA035"]
        units = {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))}
        db.session.add(
            Equivalence(
                counts_as=units["NFA035"], signature="NFA031+NFA032", sources=[units["NFA032"], units["NFA031"]]
            )
        )
        db.session.commit()
        catalog = queries.catalogue_from_database()
    assert catalog.equivalences == [EquivalenceDef(("NFA031", "NFA032"), "NFA035")]
    nfa031 = catalog.units["NFA031"]
    assert isinstance(nfa031, UnitDef) and nfa031.kind == "UE" and nfa031.ects > 0


def audit_version(catalog, code: str) -> str:
    return max(v for c, v in catalog.programs if c == code)


@pytest.mark.sqlite_only
def test_database_audit_reads_in_a_constant_number_of_statements(demo_app):
    with count_statements(demo_app) as statements:
        result = demo_app.test_cli_runner().invoke(args=["audit", "--learner", "100000W", "--program", "LG02501A"])
    assert result.exit_code == 0, result.stderr
    # learner, catalogue (its generation, units, equivalences, versions), enrolled version,
    # record (5): no N+1.
    assert len(statements) == 11, statements


def test_database_audit_bad_input(demo_app):
    runner = demo_app.test_cli_runner()
    unknown = runner.invoke(args=["audit", "--learner", "999999Z", "--program", "LG02501A"])
    assert unknown.exit_code == 2 and unknown.stdout == ""
    assert unknown.stderr.splitlines() == ["lms audit: --learner: unknown learner number 999999Z"]
    program = runner.invoke(args=["audit", "--learner", "100000W", "--program", "XYZ"])
    assert program.exit_code == 2 and program.stdout == ""
    assert program.stderr.startswith("lms audit: --program: unknown programme XYZ (known: CC0400A, ")
    version = runner.invoke(args=["audit", "--learner", "100000W", "--program", "LG02501A", "--version", "1900"])
    assert version.exit_code == 2
    assert version.stderr.startswith("lms audit: --version: programme LG02501A has no version 1900 (known: ")
