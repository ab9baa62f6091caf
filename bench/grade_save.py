"""Benchmark: saving and publishing one grade with the synchronous re-audit (issue 4).

    .venv/bin/python bench/grade_save.py [--saves N] [--database-url URL]

Loads the demo data into a fresh database (a temporary SQLite file unless --database-url names
an empty database; a database already holding data, such as ``lms demo --learners 200000``'s, is
used as it is: the saves are committed there, so give it a copy), then times N request-sized transactions, each saving and publishing
one learner's grade on a current-year sheet through lms.results.services.save_sheet (which writes
the history and re-audits the learner), and committing. Baseline, measured in the same run: the
same transaction writing the grade with one UPDATE and no re-audit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from lms.accounts.models import User  # noqa: E402
from lms.app import create_app  # noqa: E402
from lms.demo import DemoSettings, load_demo  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.results import services  # noqa: E402
from lms.results.models import Result, ResultStatus  # noqa: E402
from lms.results.services import sheets  # noqa: E402
from lms.timetable.models import Offering, Registration, RegistrationStatus  # noqa: E402


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--postgres", action="store_true", help="start a throw-away PostgreSQL server (as the tests do)"
    )
    args = parser.parse_args()
    server = None
    if args.postgres:
        from tests.fixtures.postgres import PostgresDatabases, TemporaryPostgres, wait_until_ready

        server = TemporaryPostgres(Path(tempfile.mkdtemp(prefix="lms-bench-pg-")) / "cluster")
        server.start()
        wait_until_ready(server.url)
        args.database_url = PostgresDatabases(server.url).create("lms_bench")
    try:
        run(args)
    finally:
        if server is not None:
            server.stop()


def _holds_data() -> bool:
    """Whether the database already holds an lms data set (then it is measured as it is)."""
    if not sa.inspect(db.engine).has_table("users"):
        return False
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) > 0


def run(args: argparse.Namespace) -> None:
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='lms-bench-')}/bench.sqlite3"
    app = create_app("default", overrides={"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if not _holds_data():
            upgrade()
            load_demo(DemoSettings())
            db.session.commit()
        candidates = db.session.scalars(
            sa.select(Offering.id)
            .join(Registration, Registration.offering_id == Offering.id)
            .where(Offering.academic_year == 2026, Registration.status == RegistrationStatus.REGISTERED)
            .group_by(Offering.id)
            .order_by(sa.func.count(Registration.id).desc())
            .limit(1)
        ).all()
        offering_id = candidates[0]
        offering = db.session.get(Offering, offering_id)
        tutor_id = offering.tutors[0].id
        # Grades are published from the exam day on (and the sheet locks after the jury): the saves
        # are dated the exam day when it is still to come (the generated sets' current year).
        exam = sheets.exam_date(offering, 1)
        day = exam if sheets.publication_early(offering, 1) else None
        published = set(
            db.session.scalars(
                sa.select(Result.registration_id)
                .join(Registration, Result.registration_id == Registration.id)
                .where(
                    Registration.offering_id == offering_id,
                    Result.exam_session == 1,
                    Result.status == ResultStatus.PUBLISHED,
                )
            )
        )
        # Rows not published yet (a published row is never changed by a save: it would measure nothing).
        registrations = [r.id for r in services.sheet_registrations(offering, 1) if r.id not in published]
        if len(registrations) < args.saves:
            raise SystemExit(f"only {len(registrations)} rows of the sheet left to publish: use a fresh copy")
        learners = db.session.scalar(sa.select(sa.func.count()).select_from(User))
        print(
            f"{db.engine.dialect.name}, {learners:,} users: sheet of {offering.unit.code} with "
            f"{len(registrations)} learners; {args.saves} saves" + (f", dated the exam day {day}" if day else "")
        )
        timings: list[float] = []
        for i in range(args.saves):
            registration_id = registrations[i % len(registrations)]
            grade = f"{8 + (i % 24) / 2:.2f}"
            start = time.perf_counter()
            offering = db.session.get(Offering, offering_id)
            actor = db.session.get(User, tutor_id)
            current = db.session.scalar(
                sa.select(Result.version).where(Result.registration_id == registration_id, Result.exam_session == 1)
            )
            services.save_sheet(
                offering,
                1,
                [services.RowInput(registration_id, grade=grade, version=current)],
                actor,
                publish=True,
                today=day,
            )
            db.session.commit()
            timings.append((time.perf_counter() - start) * 1000)
        baseline: list[float] = []
        for i in range(args.saves):
            registration_id = registrations[i % len(registrations)]
            start = time.perf_counter()
            db.session.execute(
                sa.update(Result)
                .where(Result.registration_id == registration_id, Result.exam_session == 1)
                .values(grade=Decimal(10) + i % 10)
            )
            db.session.commit()
            baseline.append((time.perf_counter() - start) * 1000)
        p50, p95, b50 = percentile(timings, 50), percentile(timings, 95), percentile(baseline, 50)
        print(
            f"grade save + publish + re-audit: p50 {p50:.1f} ms  p95 {p95:.1f} ms  (target p95 <= 50 ms); "
            f"baseline UPDATE+commit p50 {b50:.1f} ms, ratio {p50 / b50:.1f}x"
        )
        db.engine.dispose()


if __name__ == "__main__":
    main()
