"""Benchmark: generating the national-size data set (issue 13 section 2) on SQLite and PostgreSQL.

    .venv/bin/python bench/bulk_dataset.py N [N ...] [--centres 20] [--years 3] [--catalogue paris]
        [--engines sqlite,postgresql] [--refresh]

For each N and engine: a fresh database (a temporary SQLite file; a database on a throw-away
PostgreSQL server started as the tests do, fsync off), migrated; then the ordinary demo
(catalogue, accounts, its cohort of 200) and the bulk generator of ``lms demo --centres``, timed
apart, each committed; then the database size. ``--refresh`` also times ``lms progress refresh``'s
work (every learner re-audited through the ORM, committed) on the result.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from lms.app import create_app  # noqa: E402
from lms.demo import DEMO_PASSWORD, DemoSettings, load_demo  # noqa: E402
from lms.demo.bulk import BulkSettings, load_bulk  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.progress.services import refresh_all  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("learners", type=int, nargs="+")
    parser.add_argument("--centres", type=int, default=20)
    parser.add_argument("--years", type=int, default=BulkSettings.years)
    parser.add_argument("--catalogue", default="paris")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--refresh", action="store_true", help="time the re-audit of every learner too")
    args = parser.parse_args()
    engines = args.engines.split(",")
    server = None
    folder = Path(tempfile.mkdtemp(prefix="lms-bench-bulk-"))
    try:
        if "postgresql" in engines:
            from tests.fixtures.postgres import PostgresDatabases, TemporaryPostgres, wait_until_ready

            server = TemporaryPostgres(folder / "cluster")
            server.start()
            wait_until_ready(server.url)
            databases = PostgresDatabases(server.url)
        for learners in args.learners:
            for engine in engines:
                if engine == "sqlite":
                    path = folder / f"bulk-{learners}.sqlite3"
                    url = f"sqlite:///{path}"
                else:
                    url = databases.create(f"lms_bulk_{learners}")
                measure(engine, url, learners, args)
                if engine == "sqlite":
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{path}{suffix}").unlink(missing_ok=True)
                else:
                    databases.drop(url)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def measure(engine: str, url: str, learners: int, args: argparse.Namespace) -> None:
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        began = time.perf_counter()
        load_demo(DemoSettings(catalogue=args.catalogue))
        db.session.commit()
        demo_seconds = time.perf_counter() - began
        began = time.perf_counter()
        settings = BulkSettings(learners=learners, centres=args.centres, years=args.years)
        summary = load_bulk(settings, DEMO_PASSWORD, show_progress=sys.stderr.isatty())
        generated = time.perf_counter() - began
        db.session.commit()
        bulk_seconds = time.perf_counter() - began
        size = database_size(engine, url)
        rows = summary.rows
        print(
            f"{engine:<10} N={learners:>7,}  demo {demo_seconds:6.1f} s  bulk {bulk_seconds:7.1f} s "
            f"(commit {bulk_seconds - generated:5.1f} s)  {sum(rows.values()):>11,} rows "
            f"({sum(rows.values()) / bulk_seconds:>9,.0f} rows/s)  results {rows['results']:>10,}  "
            f"registrations {rows['registrations']:>10,}  attendance {rows['attendance']:>9,}  "
            f"size {size / 2**20:8,.0f} MiB",
            flush=True,
        )
        if args.refresh:
            began = time.perf_counter()
            audited = refresh_all()
            db.session.commit()
            seconds = time.perf_counter() - began
            learners_audited = db.session.scalar(sa.text("SELECT count(DISTINCT learner_id) FROM enrolments"))
            print(
                f"{engine:<10} N={learners:>7,}  lms progress refresh: {audited:,} enrolments of "
                f"{learners_audited:,} learners in {seconds:.1f} s ({learners_audited / seconds:,.0f} learners/s)",
                flush=True,
            )
        db.session.remove()
        db.engine.dispose()


def database_size(engine: str, url: str) -> int:
    if engine == "sqlite":
        db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        path = url.removeprefix("sqlite:///")
        return sum(os.path.getsize(p) for p in (path, f"{path}-wal") if os.path.exists(p))
    return db.session.scalar(sa.text("SELECT pg_database_size(current_database())"))


if __name__ == "__main__":
    main()
