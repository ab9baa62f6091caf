"""``lms catalog import`` and ``lms catalog export``: exit codes, messages, nothing half-written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.catalog.models import Unit
from lms.demo import CATALOG_DIR
from lms.extensions import db
from lms.progress.audit.catalogue import read_catalog
from tests.catalog.conftest import import_real_catalogue, row_counts, write

EMPTY = {"units": 0, "equivalences": 0, "programmes": 0, "versions": 0, "offerings": 0, "centres": 0}
REAL = {"units": 151, "equivalences": 0, "programmes": 6, "versions": 6, "offerings": 342, "centres": 1}


def run(app, *args):
    return app.test_cli_runner().invoke(args=["catalog", *map(str, args)])


def counts(app) -> dict[str, int]:
    with app.app_context():
        return row_counts()


def test_import_prints_a_summary_and_a_second_import_changes_nothing(app):
    result = run(app, "import", CATALOG_DIR)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "Imported: 151 units added, 0 changed; 0 equivalences; 6 programme versions; "
        "342 offerings added, 0 changed; 1 centres added."
    )
    assert "Importing" in result.stderr  # the progress bar (its label only, off a terminal)
    assert counts(app) == REAL

    again = run(app, "import", CATALOG_DIR / "units.yaml", CATALOG_DIR / "LG02501A.yaml")
    assert again.exit_code == 0
    assert again.stdout.strip() == "Nothing to import: the database already holds this catalogue."
    assert counts(app) == REAL


def test_dry_run_prints_the_plan_and_writes_nothing(app, tmp_path):
    result = run(app, "import", "--dry-run", CATALOG_DIR)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "units: 151 to add, 0 to change, 0 unchanged"
    assert "  + NFA031 'Programmation avec Java : notions de base' (6 ECTS, UE)" in lines
    assert "programme versions: 6 to add, 0 unchanged" in lines
    assert "  + LG02501A 20261004 'Licence informatique Parcours Informatique générale' (new programme)" in lines
    assert "offerings: 342 to add, 0 to change (capacity), 0 unchanged" in lines
    assert "  + 171 in 2024-2025" in lines
    assert "centres: 1 to add (PAR)" in lines
    assert lines[-1] == "Dry run: nothing written."
    assert counts(app) == EMPTY

    with app.app_context():
        import_real_catalogue()
    renamed = write(
        tmp_path,
        "units.yaml",
        """\
        units:
          - {code: NFA031, title: "Java 1", ects: 6, kind: UE, level: L1}
        """,
    )
    changed = run(app, "import", "--dry-run", renamed)
    assert "  ~ NFA031: title 'Programmation avec Java : notions de base' -> 'Java 1'" in changed.stdout.splitlines()
    with app.app_context():
        assert db.session.scalar(sa.select(Unit.title).where(Unit.code == "NFA031")).startswith("Programmation")


def test_bad_files_exit_2_with_one_line_per_problem_and_write_nothing(app, tmp_path):
    good = write(
        tmp_path,
        "a.yaml",
        """\
        units:
          - {code: NEW101, title: "Nouvelle UE", ects: 6, kind: UE}
        """,
    )
    bad = write(
        tmp_path,
        "b.yaml",
        """\
        units:
          - {code: NEW102, title: "Autre", ects: -1, kind: UE}
        programs:
          - {code: P1, version: "1", title: "P", kind: master, ects: 6, requirements: {all: [NEW101, ZZZ999]}}
        """,
    )
    result = run(app, "import", good, bad, tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    problems = result.stderr.splitlines()
    assert f"{bad}:2: unit NEW102: 'ects' must not be negative (-1)" in problems
    assert f"{bad}:4: unit ZZZ999 is not in the catalogue" in problems
    assert any(p.startswith(f"{tmp_path / 'missing.yaml'}:0: cannot read the file") for p in problems)
    assert "Traceback" not in result.output
    assert counts(app) == EMPTY


def test_a_conflict_with_the_database_exits_2_and_writes_nothing(app, tmp_path):
    with app.app_context():
        import_real_catalogue()
    conflicting = write(
        tmp_path,
        "units.yaml",
        """\
        units:
          - {code: NEW101, title: "Nouvelle UE", ects: 6, kind: UE}
          - {code: NFA031, title: "Programmation avec Java : notions de base", ects: 9, kind: UE, level: L1}
        """,
    )
    result = run(app, "import", conflicting)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{conflicting}:3: unit NFA031: ects 6 -> 9 refused: programme versions LG02501A 20261004 use it "
        "(their audits would change); give the unit a new code"
    ]
    assert "units: 1 to add, 0 to change, 0 unchanged, 1 refused" in result.stdout
    assert counts(app) == REAL


def test_a_failure_while_applying_rolls_everything_back(app, monkeypatch):
    from lms.catalog import cli, services

    def failing_apply(plan, progress=None):
        services.apply_import(plan, progress)
        raise RuntimeError("disk full")

    monkeypatch.setattr(cli, "apply_import", failing_apply)
    result = run(app, "import", CATALOG_DIR)
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert counts(app) == EMPTY


def test_export_writes_files_the_import_reads_back(app, tmp_path):
    with app.app_context():
        import_real_catalogue()
    target = tmp_path / "export"
    target.mkdir()
    (target / "old.yaml").write_text("units: []\n")
    result = run(app, "export", target)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Exported 151 units, 0 equivalences, 6 programme versions and 342 offerings to ")
    assert (
        result.stderr.strip() == f"warning: {target / 'old.yaml'} is not part of the export but would be read with it"
    )
    assert (target / "LG02501A.yaml").read_text().startswith("# Exported by lms on ")
    (target / "old.yaml").unlink()
    assert read_catalog([target]).programs == read_catalog([CATALOG_DIR]).programs
    dry = run(app, "import", "--dry-run", target)
    assert dry.exit_code == 0 and "units: 0 to add, 0 to change, 151 unchanged" in dry.stdout


@pytest.mark.sqlite_only
def test_import_needs_a_path(app):
    result = run(app, "import")
    assert result.exit_code == 2 and "Missing argument" in result.stderr
