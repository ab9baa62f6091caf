"""Catalogue test helpers: writing catalogue files, a second fresh database, counting rows."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.catalog.models import Equivalence, Programme, ProgrammeVersion, Unit
from lms.catalog.services import apply_import, plan_import
from lms.demo import CATALOG_DIR
from lms.extensions import db
from lms.progress.audit.catalogue import read_catalog
from lms.timetable.models import Centre, Offering
from tests.conftest import make_app


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def row_counts() -> dict[str, int]:
    """Rows of every catalogue table (call inside an app context)."""
    tables = {
        "units": Unit,
        "equivalences": Equivalence,
        "programmes": Programme,
        "versions": ProgrammeVersion,
        "offerings": Offering,
        "centres": Centre,
    }
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for name, model in tables.items()}


def import_real_catalogue() -> None:
    """Import lms/catalog/data and commit (inside an app context)."""
    apply_import(plan_import(read_catalog([CATALOG_DIR])))
    db.session.commit()


@pytest.fixture
def second_app(templates, backend, tmp_path) -> Iterator[Flask]:
    """Another app on its own freshly migrated database of the same engine."""
    folder = tmp_path / "second"
    folder.mkdir()
    url = templates.copy(backend, "migrated", folder)
    app = make_app(url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    templates.release(backend, url)
