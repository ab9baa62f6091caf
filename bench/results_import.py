"""Benchmark: ``lms results import`` of N result rows (issue 13 §3: 1 million rows ≤ 60 s).

    .venv/bin/python bench/results_import.py [--rows 1000000] [--per-learner 10] [--engine sqlite|postgresql|both]

For each engine: a fresh database (a temporary SQLite file; a throw-away PostgreSQL server started
as the tests do, tests/fixtures/postgres.py), migrated, the demo on the six-programme catalogue,
then ``rows / per-learner`` generated learners, each enrolled in a programme of that catalogue
and registered for ``per-learner`` of its offerings (Core inserts, not timed), and a CSV of one
session-1 result per registration (5 % absent). Then the real ``lms`` script, one process each,
timed from outside with its peak memory:

1. ``--dry-run``: every row read and checked, nothing written;
2. the import: N new draft results and N history rows;
3. the same file with ``--publish``: N results published (N more history rows); the learners
   concerned (more than ``lms.progress.tasks.QUEUE_FROM``) are queued for re-audit as a job,
   which ``lms worker`` does afterwards (its pace is bench/refresh.py's).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from lms.app import create_app  # noqa: E402
from lms.core.time import utcnow  # noqa: E402
from lms.extensions import db  # noqa: E402

BAR_SECONDS = 60
BATCH = 20_000
LMS = Path(sys.executable).parent / "lms"


def build(url: str, rows: int, per_learner: int, csv_path: Path) -> int:
    """The data set and the file; returns the file's rows."""
    from lms.accounts.models import Learner, User
    from lms.catalog.models import Programme, ProgrammeVersion, Unit
    from lms.demo import DemoSettings, load_demo
    from lms.intakes.models import Enrolment
    from lms.timetable.models import Centre, Offering, Registration

    app = create_app("default", overrides={"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        load_demo(DemoSettings(catalogue="six", learners=50))
        db.session.commit()
        today = utcnow().date()
        now = utcnow()
        # The bench's sheets: exams taken, no jury yet (all results may be written and published).
        db.session.execute(sa.update(Offering).values(exam1_on=today - timedelta(days=30), jury1_on=None))
        offerings = db.session.execute(
            sa.select(Offering.id, Unit.code, Offering.academic_year, Offering.semester, Offering.modality, Centre.code)
            .join(Unit, Offering.unit_id == Unit.id)
            .join(Centre, Offering.centre_id == Centre.id)
        ).all()
        versions = db.session.execute(sa.select(ProgrammeVersion.id, Programme.id).join(Programme)).all()
        connection = db.session.connection()
        first_user = (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1
        first_learner = (db.session.scalar(sa.select(sa.func.max(Learner.id))) or 0) + 1
        learners = rows // per_learner
        rng = random.Random(13)
        written = 0
        with csv_path.open("w", encoding="utf-8", newline="") as out:
            out.write("learner_number,unit,academic_year,semester,modality,centre,exam_session,grade,absent\n")
            for start in range(0, learners, BATCH):
                count = min(BATCH, learners - start)
                users = [
                    {
                        "id": first_user + start + i,
                        "email": f"bench{start + i}@example.org",
                        "name": f"Bench {start + i}",
                        "password_hash": None,
                        "locale": "fr",
                        "active": True,
                        "created_at": now,
                    }
                    for i in range(count)
                ]
                connection.execute(sa.insert(User), users)
                numbers = [f"B{start + i:07d}" for i in range(count)]
                connection.execute(
                    sa.insert(Learner),
                    [
                        {
                            "id": first_learner + start + i,
                            "user_id": first_user + start + i,
                            "learner_number": numbers[i],
                        }
                        for i in range(count)
                    ],
                )
                enrolments, registrations = [], []
                for i in range(count):
                    learner_id = first_learner + start + i
                    version_id, programme_id = rng.choice(versions)
                    enrolments.append(
                        {
                            "learner_id": learner_id,
                            "programme_version_id": version_id,
                            "programme_id": programme_id,
                            "status": "active",
                            "enrolled_on": today - timedelta(days=400),
                            "created_at": now,
                        }
                    )
                    for offering in rng.sample(offerings, per_learner):
                        registrations.append(
                            {
                                "learner_id": learner_id,
                                "offering_id": offering[0],
                                "status": "registered",
                                "created_at": now,
                            }
                        )
                        _, unit, year, semester, modality, centre = offering
                        absent = rng.random() < 0.05
                        grade = "" if absent else f"{rng.randint(0, 2000) / 100:.2f}"
                        out.write(
                            f"{numbers[i]},{unit},{year},{semester.value},{modality.value},{centre},1,{grade},"
                            f"{'1' if absent else ''}\n"
                        )
                        written += 1
                connection.execute(sa.insert(Enrolment), enrolments)
                connection.execute(sa.insert(Registration), registrations)
        if connection.dialect.name == "postgresql":
            for table in ("users", "learners", "enrolments", "registrations"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        db.session.commit()
        if connection.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
                autocommit.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()
    return written


def measure(engine: str, url: str, rows: int, per_learner: int, folder: Path) -> list[tuple[str, float, float]]:
    csv_path = folder / "results.csv"
    start = time.perf_counter()
    written = build(url, rows, per_learner, csv_path)
    print(
        f"[{engine}] data set: {written:,} registrations of {written // per_learner:,} learners, "
        f"file {csv_path.stat().st_size / 2**20:.0f} MiB, built in {time.perf_counter() - start:.0f} s",
        flush=True,
    )
    figures = []
    for label, args in (
        ("dry run", ["--dry-run"]),
        ("import (new drafts)", []),
        ("same file --publish (re-audit queued)", ["--publish"]),
    ):
        seconds, rss = run_lms_logged(url, ["results", "import", str(csv_path), *args])
        figures.append((label, seconds, rss))
        print(f"[{engine}] {label}: {seconds:.1f} s, peak RSS {rss:.0f} MiB", flush=True)
    return figures


def run_lms_logged(url: str, args: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one ``lms`` process. The peak is its VmHWM, read while it
    runs (``ru_maxrss`` of a forked child starts at its parent's size: this script's)."""
    env = {**os.environ, "LMS_DATABASE_URL": url, "LMS_CONFIG": "default"}
    start = time.perf_counter()
    process = subprocess.Popen([str(LMS), *args], env=env)
    peak = 0.0
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"lms {' '.join(args)} exited with {process.returncode}")
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--per-learner", type=int, default=10)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    options = parser.parse_args()
    engines = ("sqlite", "postgresql") if options.engine == "both" else (options.engine,)
    table = []
    for engine in engines:
        with tempfile.TemporaryDirectory(prefix="lms-bench-import-") as name:
            folder = Path(name)
            if engine == "sqlite":
                url = f"sqlite:///{folder / 'bench.sqlite3'}"
                table += [(engine, *row) for row in measure(engine, url, options.rows, options.per_learner, folder)]
                continue
            from tests.fixtures.postgres import PostgresDatabases, start_server, stop_server

            os.chmod(folder, 0o777)  # the server runs as postgres when we are root
            state = start_server(folder / "postgres")
            try:
                url = PostgresDatabases(state["url"]).create("lms_bench")
                table += [(engine, *row) for row in measure(engine, url, options.rows, options.per_learner, folder)]
            finally:
                stop_server(state)
    print()
    print(f"| engine | {options.rows:,} rows | seconds | peak RSS | bar ≤ {BAR_SECONDS} s |")
    print("|---|---|---|---|---|")
    for engine, label, seconds, rss in table:
        print(f"| {engine} | {label} | {seconds:.1f} | {rss:.0f} MiB | {'✔' if seconds <= BAR_SECONDS else '✘'} |")


if __name__ == "__main__":
    main()
