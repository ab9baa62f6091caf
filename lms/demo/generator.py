"""Loading the demo: each area's data in turn, always in the same order (they share one random
generator), in the caller's transaction (flushes, never commits)."""

from __future__ import annotations

import random

import click

from lms.accounts.passwords import hash_password
from lms.core.time import utcnow
from lms.demo import accounts, awards, catalogue, cohort, intakes, timetable
from lms.demo.context import DemoContext, DemoSettings, DemoSummary
from lms.extensions import db
from lms.progress.audit.catalogue import Catalog, read_catalog
from lms.progress.services import refresh_all


def load_demo(settings: DemoSettings | None = None, catalog: Catalog | None = None) -> DemoSummary:
    """Load the catalogue and generate the cohort into an empty database (flushes, no commit)."""
    settings = settings or DemoSettings()
    if not accounts.database_is_empty():
        raise click.ClickException("the database already holds users: the demo loads only into an empty database")
    demo = DemoContext(
        settings=settings,
        catalog=catalog or read_catalog(catalogue.CATALOGUES[settings.catalogue]),
        today=settings.today or utcnow().date(),
        password_hash=hash_password(accounts.DEMO_PASSWORD),
        rng=random.Random(settings.seed),
    )
    catalogue.load_catalogue(demo)
    accounts.make_staff(demo)
    timetable.make_offerings(demo)
    cohort.make_cohort(demo)
    db.session.flush()
    timetable.make_timetable(demo)
    # Pages read stored audits: compute them as any write of credits would.
    demo.summary.snapshots = refresh_all(as_of=demo.today)
    intakes.make_intakes(demo)
    awards.make_awards(demo)
    demo.summary.accounts = [(role, email, accounts.DEMO_PASSWORD) for role, email, _ in accounts.DEMO_ACCOUNTS]
    return demo.summary
