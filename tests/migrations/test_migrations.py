"""Migrations, on both engines: pytest-alembic's built-in checks, a full downgrade and upgrade of a
seeded database, revision file names, and the two command-line ways of upgrading."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from pytest_alembic.config import Config

# pytest-alembic's built-in tests, run here against the fixtures below (so on both engines).
from pytest_alembic.tests import (  # noqa: F401
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from lms.app import PROJECT_ROOT
from lms.extensions import db

MIGRATIONS = PROJECT_ROOT / "migrations"
VERSIONS = MIGRATIONS / "versions"
REVISION_FILE = re.compile(r"^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})_([0-9a-f]{12})_([a-z0-9_]+)\.py$")

# Tables the initial schema must create (a sample; the model-vs-DDL check covers the rest).
CORE_TABLES = {
    "users",
    "learners",
    "units",
    "programmes",
    "programme_versions",
    "results",
    "result_history",
    "audit_log",
}


@pytest.fixture
def alembic_config() -> Config:
    return Config(config_options={"script_location": str(MIGRATIONS), "file": str(MIGRATIONS / "alembic.ini")})


@pytest.fixture
def alembic_engine(empty_database_url) -> Iterator[sa.Engine]:
    engine = sa.create_engine(empty_database_url)
    yield engine
    engine.dispose()


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_creates_the_schema_and_downgrade_removes_it(alembic_runner, alembic_engine):
    alembic_runner.migrate_up_to("heads")
    assert CORE_TABLES <= table_names(alembic_engine)
    alembic_runner.migrate_down_to("base")
    assert table_names(alembic_engine) <= {"alembic_version"}


# --- downgrade and upgrade again on a seeded database ------------------------------------------


def _round_trip(app) -> None:
    """Downgrade to base (nothing but alembic_version left), then upgrade to head again."""
    with app.app_context():
        db.session.remove()
        downgrade(revision="base")
        engine = db.engine
        assert table_names(engine) <= {"alembic_version"}
        upgrade()
        assert CORE_TABLES <= table_names(engine)
        # The append-only triggers came back with the schema.
        from lms.accounts.models import Role
        from lms.accounts.services import create_user

        create_user("again@example.org", "Again", [Role.ADMIN])  # writes an audit_log row
        db.session.commit()
        assert db.session.scalar(sa.text("SELECT count(*) FROM audit_log")) == 1
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("DELETE FROM audit_log"))
            db.session.flush()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_downgrade_and_upgrade_the_demo_database(demo_app):
    with demo_app.app_context():
        learners = db.session.scalar(sa.text("SELECT count(*) FROM learners"))
        results = db.session.scalar(sa.text("SELECT count(*) FROM result_history"))
        db.session.remove()
    assert learners > 0 and results > 0, "the demo database should be seeded"
    _round_trip(demo_app)
    with demo_app.app_context():
        # The upgrade recreated empty tables: the demo rows went with the downgrade.
        assert db.session.scalar(sa.text("SELECT count(*) FROM learners")) == 0
        assert db.session.scalar(sa.text("SELECT count(*) FROM result_history")) == 0
        db.session.remove()
        db.engine.dispose()


# --- revision files -----------------------------------------------------------------------------


def test_revision_files_are_named_by_date_revision_and_slug():
    files = sorted(p.name for p in VERSIONS.glob("*.py"))
    assert files, "no revision file found"
    for name in files:
        match = REVISION_FILE.match(name)
        assert match, f"{name} is not named YYYYMMDD_HHMM_<rev>_<slug>.py"
        year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
        date(year, month, day)  # a real date
        assert 0 <= hour < 24 and 0 <= minute < 60, name
        text = (VERSIONS / name).read_text(encoding="utf-8")
        assert re.search(rf"^revision = ['\"]{match.group(6)}['\"]", text, re.M), f"{name}: revision id differs"


def test_revision_file_pattern_rejects_other_names():
    for bad in ("fe54a44ac5c9_initial.py", "2026112_0429_fe54a44ac5c9_x.py", "20261122_0429_initial_schema.py"):
        assert not REVISION_FILE.match(bad)


# --- command line -------------------------------------------------------------------------------


def _run_upgrade(argv: list[str], database: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_") and k not in {"FLASK_APP"}}
    env["LMS_DATABASE_URL"] = f"sqlite:///{database}"
    completed = subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        assert CORE_TABLES <= table_names(engine)
        with engine.connect() as connection:
            head = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        assert head in {p.name.split("_")[2] for p in VERSIONS.glob("*.py")}
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", ["lms", "flask"])
def test_db_upgrade_from_the_command_line(command, tmp_path):
    bindir = Path(sys.executable).parent
    if command == "lms":
        argv = [str(bindir / "lms"), "db", "upgrade"]
    else:
        argv = [str(bindir / "flask"), "--app", "wsgi", "db", "upgrade"]
    database = tmp_path / f"{command}.sqlite3"
    assert not database.exists()
    _run_upgrade(argv, database)
