"""The real Cnam catalogue shipped in ``lms/catalog/data``, imported as an administrator would."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from lms.catalog.models import Programme, ProgrammeVersion, Unit
from lms.catalog.services import apply_import, plan_import
from lms.demo.context import DemoContext
from lms.extensions import db

CATALOG_DIR = Path(__file__).resolve().parent.parent / "catalog" / "data"


def load_catalogue(demo: DemoContext) -> None:
    """Import the catalogue, then index its units by code and its programmes' latest versions."""
    apply_import(plan_import(demo.catalog))
    demo.units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    demo.versions = {
        pv.programme.code: pv
        for pv in db.session.scalars(sa.select(ProgrammeVersion).join(Programme).order_by(ProgrammeVersion.version))
    }
