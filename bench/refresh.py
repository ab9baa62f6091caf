"""Benchmark: re-auditing every learner, the job a catalogue import queues (issue 13 §3).

    .venv/bin/python bench/refresh.py [--database-url URL] [--batch 500] [--limit N]

Without ``--database-url`` it loads the demo into a temporary SQLite file; give it the database of
``lms demo --learners N --centres C`` to measure at scale (PostgreSQL URLs too). It re-audits the
learners in batches of ``--batch``, each batch its own transaction, through the one batch loop
the command, the hook and the queue's tasks share (``refresh_in_batches``: records read, pure
audit, snapshots written, plugins told), and reports learners/s and the process's resident memory along the run. Then the floor,
measured in the same run on the same learners: the same rows (the five reads of a record, as
column rows, no ORM object) into the pure audit, nothing written. The ratio says what lms adds
above reading and auditing. One process, one core.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from lms.app import create_app  # noqa: E402
from lms.core.time import utcnow  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.progress.audit.engine import audit  # noqa: E402

BAR_PER_CORE = 2000
RATIO_BAR = 1.5


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def learner_ids(limit: int | None) -> list[int]:
    from lms.intakes.models import Enrolment

    query = sa.select(Enrolment.learner_id).distinct().order_by(Enrolment.learner_id)
    ids = list(db.session.scalars(query))
    return ids[:limit] if limit else ids


def lms_path(app, ids: list[int], batch: int) -> tuple[float, float, list[float]]:
    """The re-audit as ``lms progress refresh`` runs it: the one batch loop, a commit a batch."""
    from lms.progress.services import refresh_in_batches

    memory = []

    def committed(_chunk: list[int]) -> None:
        db.session.commit()
        memory.append(rss_mib())

    start, cpu = time.perf_counter(), time.process_time()
    with app.app_context():
        refresh_in_batches(ids, bulk=True, after_batch=committed, batch=batch)
    return time.perf_counter() - start, time.process_time() - cpu, memory


def floor_path(app, ids: list[int], batch: int) -> tuple[float, float]:
    """The same learners' rows (the five reads of a record, column rows, no ORM objects) into the
    pure audit, nothing written: what any re-audit must pay."""
    from lms.accounts.models import Learner
    from lms.catalog.models import Programme, ProgrammeVersion
    from lms.intakes.models import Enrolment
    from lms.progress.queries import catalogue_from_database
    from lms.progress.records import learner_records

    today = utcnow().date()
    with app.app_context():
        catalog = catalogue_from_database()
        start, cpu = time.perf_counter(), time.process_time()
        for first in range(0, len(ids), batch):
            chunk = ids[first : first + batch]
            learners = db.session.execute(sa.select(Learner.id, Learner.learner_number).where(Learner.id.in_(chunk)))
            records = learner_records([_Row(*row) for row in learners], today)
            enrolments = db.session.execute(
                sa.select(Enrolment.learner_id, Programme.code, ProgrammeVersion.version)
                .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
                .join(Programme, ProgrammeVersion.programme_id == Programme.id)
                .where(Enrolment.learner_id.in_(chunk))
            )
            for learner_id, code, version in enrolments:
                audit(
                    catalog.programs[(code, version)], catalog.units, catalog.equivalences, records[learner_id], today
                )
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        db.session.rollback()
    return elapsed, cpu


class _Row:
    def __init__(self, id: int, learner_number: str) -> None:
        self.id, self.learner_number = id, learner_number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--limit", type=int, help="re-audit only the first N learners")
    args = parser.parse_args()
    folder = None
    url = args.database_url
    if url is None:
        folder = tempfile.TemporaryDirectory(prefix="lms-bench-refresh-")
        url = f"sqlite:///{Path(folder.name) / 'lms.sqlite3'}"
    settings = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TASKS_IMMEDIATE": True, "MAIL_FOLDER": None}
    app = create_app("default", settings)
    with app.app_context():
        if args.database_url is None:
            from lms.demo import DemoSettings, load_demo

            upgrade(directory=str(ROOT / "migrations"))
            load_demo(DemoSettings(catalogue="paris"))
            db.session.commit()
        ids = learner_ids(args.limit)
        engine = db.engine.dialect.name
    print(f"{engine}: {len(ids)} learners with an enrolment, batches of {args.batch}")
    floor, floor_cpu = floor_path(app, ids, args.batch)  # also loads the process's catalogue once
    elapsed, cpu, memory = lms_path(app, ids, args.batch)
    rate, floor_rate = len(ids) / elapsed, len(ids) / floor
    cpu_rate, floor_cpu_rate = len(ids) / cpu, len(ids) / floor_cpu
    print(f"lms re-audit (refresh_in_batches, written): {rate:,.0f} learners/s ({elapsed:.1f} s)")
    print(f"floor (the same reads + pure audit, nothing written): {floor_rate:,.0f} learners/s ({floor:.1f} s)")
    print(
        f"CPU time (this process only, less sensitive to a shared machine): lms {cpu_rate:,.0f} learners/s, "
        f"floor {floor_cpu_rate:,.0f} learners/s"
    )
    ratio = floor_rate / rate
    print(f"ratio lms/floor: {ratio:.2f}x (bar {RATIO_BAR}x: {'pass' if ratio <= RATIO_BAR else 'MISSED'})")
    print(f"per core: {rate:,.0f} learners/s (bar {BAR_PER_CORE}: {'pass' if rate >= BAR_PER_CORE else 'MISSED'})")
    cpu_ratio = floor_cpu_rate / cpu_rate
    print(
        f"in CPU time: ratio {cpu_ratio:.2f}x ({'pass' if cpu_ratio <= RATIO_BAR else 'MISSED'}), "
        f"{cpu_rate:,.0f} learners/s a core ({'pass' if cpu_rate >= BAR_PER_CORE else 'MISSED'})"
    )
    if memory:
        print(
            f"memory: {memory[0]:.0f} MiB after the first batch, {max(memory):.0f} MiB at most, {memory[-1]:.0f} at the end"
        )
    if folder is not None:
        folder.cleanup()


if __name__ == "__main__":
    main()
