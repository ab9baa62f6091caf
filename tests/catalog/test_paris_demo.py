"""The demo loads the whole real Cnam Paris catalogue (``lms demo``, the default of ``make run``):
all 355 programmes, their units and offerings, with the demo accounts following the six
programmes of today; every programme imports, and the closest credentials rank all of it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskCliRunner

from lms.catalog.models import Programme, ProgrammeKind, ProgrammeVersion, Unit
from lms.demo import DEMO_PASSWORD
from lms.demo.catalogue import PARIS_DIR
from lms.extensions import db
from lms.progress.audit.catalogue import read_catalog
from tests.helpers import client_for

pytestmark = pytest.mark.sqlite_only  # about 20 s: once, on the embedded database of `make run`


def test_lms_demo_loads_the_whole_paris_catalogue_and_ranks_it(app):
    result = FlaskCliRunner(app).invoke(args=["demo", "--learners", "20"])
    assert result.exit_code == 0, result.output
    files = read_catalog([PARIS_DIR, PARIS_DIR / "programs"])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == len(files.programs) == 355
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == len(files.units)
        doctorates = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ProgrammeVersion)
            .where(ProgrammeVersion.kind == ProgrammeKind.DOCTORAT)
        )
        assert doctorates == 39
        slotted = db.session.scalar(sa.select(ProgrammeVersion).join(Programme).where(Programme.code == "CPN7400A"))
        assert any(leaf.get("slot") == "CPN7400AX1" for leaf in _leaves(slotted.requirements))

    learner = client_for(app, "apprenant@example.org", DEMO_PASSWORD)
    home = learner.get("/")
    assert home.status_code == 200 and "LG02501A" in home.text  # the demo learner's programmes are today's
    ranked = learner.get("/me/credentials")
    assert ranked.status_code == 200
    assert "355 formations" in ranked.text
    assert learner.get("/me/credentials?page=15").status_code == 200  # the last page, clamped
    tree = learner.get("/programmes/CPN7400A")
    assert tree.status_code == 200 and "CPN7400AX1" in tree.text and "emplacement libre" in tree.text


def _leaves(node):
    if "unit" in node or "slot" in node:
        yield node
    for child in node.get("all", node.get("of", [])):
        yield from _leaves(child)
