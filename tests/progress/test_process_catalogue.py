"""The catalogue the audits read is loaded once per process and kept while the catalogue
generation stands: a change committed through another app (another worker or host) is seen at the
next read; a change not yet committed is seen only by its own transaction."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from lms.catalog.models import Unit
from lms.extensions import db
from lms.progress.queries import catalogue_from_database
from tests.conftest import make_app


def ects(code: str) -> Decimal:
    return catalogue_from_database().units[code].ects


def test_one_copy_per_process_while_unchanged_and_a_change_elsewhere_is_seen(demo_app):
    with demo_app.app_context():
        first = catalogue_from_database()
        code = sorted(first.units)[0]
        before = first.units[code].ects
    with demo_app.app_context():
        assert catalogue_from_database() is first  # another request: the same copy, not reloaded

    other = make_app(demo_app.config["SQLALCHEMY_DATABASE_URI"])  # another worker on the database
    with other.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
        unit.ects = before + 1
        db.session.commit()
        db.engine.dispose()

    with demo_app.app_context():
        assert ects(code) == before + 1


def test_an_uncommitted_change_stays_in_its_transaction(demo_app):
    with demo_app.app_context():
        code = sorted(catalogue_from_database().units)[0]
        before = ects(code)
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
        unit.ects = before + 2
        db.session.flush()
        assert ects(code) == before + 2  # its own transaction sees it
        db.session.rollback()
        assert ects(code) == before  # rolled back: nobody keeps it
    with demo_app.app_context():
        assert ects(code) == before


def test_a_bulk_statement_changes_the_generation_too(demo_app):
    with demo_app.app_context():
        code = sorted(catalogue_from_database().units)[0]
        before = ects(code)
        db.session.execute(sa.update(Unit).where(Unit.code == code).values(ects=before + 3))
        db.session.commit()
    with demo_app.app_context():
        assert ects(code) == before + 3
