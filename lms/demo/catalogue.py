"""The real Cnam catalogues shipped with lms, imported as an administrator would.

``paris`` (the default): the whole Cnam Paris catalogue in ``lms/catalog/paris`` (355 programmes,
2,270 units; its README tells the source and every inference). ``six``: the six programmes the demo
accounts follow, converted by hand in ``lms/catalog/data`` (the tests' catalogue: small and fast).
They are among the 355 but a few unit levels differ (see the Paris README), so a database holds one
or the other."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from lms.catalog.models import Programme, ProgrammeVersion, Unit
from lms.catalog.services import apply_import, plan_import
from lms.demo.context import DemoContext
from lms.extensions import db

CATALOG_DIR = Path(__file__).resolve().parent.parent / "catalog" / "data"
PARIS_DIR = CATALOG_DIR.parent / "paris"
CATALOGUES = {"paris": (PARIS_DIR, PARIS_DIR / "programs"), "six": (CATALOG_DIR,)}


def load_catalogue(demo: DemoContext) -> None:
    """Import the catalogue, then index its units by code and its programmes' latest versions."""
    apply_import(plan_import(demo.catalog))
    demo.units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    demo.versions = {
        pv.programme.code: pv
        for pv in db.session.scalars(sa.select(ProgrammeVersion).join(Programme).order_by(ProgrammeVersion.version))
    }
