"""Loading the national data set: read what the demo left (catalogue, directors, ids), generate
the places then the learners chunk by chunk, write each chunk at once, then the attendance, all in
the caller's transaction (no commit here). A progress bar per phase on stderr."""

from __future__ import annotations

import random
import sys
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import click

from lms.accounts.passwords import hash_password
from lms.core.time import academic_year, utcnow
from lms.demo.bulk.pipeline import BackgroundWriter
from lms.demo.bulk.places import Places, build_places, closed_days
from lms.demo.bulk.plan import LearnerPlan
from lms.demo.bulk.settings import BulkSettings, Run
from lms.demo.bulk.source import Source, read_source
from lms.demo.bulk.tables import Ids, Rows
from lms.demo.bulk.writer import writer_for
from lms.extensions import db


@dataclass
class BulkSummary:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    seconds: float = 0.0
    size_bytes: int | None = None
    sample_email: str = ""  # a generated learner's account


def load_bulk(settings: BulkSettings, password: str, show_progress: bool = False) -> BulkSummary:
    """Generate and insert the data set (flushes the session first; never commits)."""
    began = time.perf_counter()
    db.session.flush()
    connection = db.session.connection()
    source = read_source(connection)
    today = settings.today or utcnow().date()
    run = Run(settings, today, hash_password(password), closed_days(academic_year(today)))
    writer = writer_for(connection)
    background = BackgroundWriter(writer)
    ids = Ids(source.first_ids)
    try:
        places, plan = _generate(settings, run, source, ids, background, show_progress)
    finally:
        background.close()
    writer.finish()
    return BulkSummary(
        rows=dict(writer.written),
        seconds=time.perf_counter() - began,
        size_bytes=writer.size_bytes(),
        sample_email=plan.first_email,
    )


def _generate(
    settings: BulkSettings, run: Run, source: Source, ids: Ids, background: BackgroundWriter, show_progress: bool
) -> tuple[Places, LearnerPlan]:
    """The phases, each chunk handed to the writing thread as soon as it is drawn."""
    rows = Rows()
    with _bar(show_progress, settings.centres, "Centres, tutors, offerings") as bar:
        places = build_places(source, run, ids, rows, random.Random(f"{settings.seed}-places"))
        background.write(rows)
        bar.update(settings.centres)
    if not any(places.hosted):
        raise click.ClickException("the catalogue has no programme the generator can follow: load one first")

    plan = LearnerPlan(run, source, places, ids, random.Random(f"{settings.seed}-learners"))
    with _bar(show_progress, settings.learners, "Learners and their histories") as bar:
        written = 0
        for done, chunk in plan.chunks():
            background.write(chunk)
            bar.update(done - written)
            written = done
    expected = sum(len(plan.registered[o]) * len(places.held[o]) for o in plan.registered)
    with _bar(show_progress, expected, "Attendance (sampled offerings)") as bar:
        for count, chunk in plan.attendance(50_000):
            background.write(chunk)
            bar.update(count)
    return places, plan


def _bar(show: bool, length: int, label: str) -> AbstractContextManager:
    if not show:
        return nullcontext(_NoBar())
    return click.progressbar(length=max(length, 1), label=label, file=sys.stderr, show_pos=True)


class _NoBar:
    def update(self, _count: int) -> None:
        pass
