"""Stored audits: recompute the progress snapshots of some learners. Flushes, never commits.

Nothing outside progress calls this module: every write that changes what the audit sees (a
registration, a published result, a credit, an enrolment, a catalogue import...) is noticed by
:mod:`lms.core.holdings`, which fires ``lms_holdings_changed`` before the commit; progress's
implementation of the hook (``lms.progress.plugin``) calls :func:`refresh_progress`, in the same
transaction, so pages read a snapshot that is never stale and a failure rolls it back with the write.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm

from lms.accounts.models import Learner
from lms.catalog.models import Programme, ProgrammeVersion
from lms.core import holdings
from lms.core.time import utcnow
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.plugins.manager import plugin_manager
from lms.progress.audit.engine import audit
from lms.progress.audit.figures import counted_ects
from lms.progress.models import AuditStatus, ProgressSnapshot
from lms.progress.queries import catalogue_from_database
from lms.progress.records import learner_records

REAUDIT_BATCH = 500  # learners re-audited together: one transaction each in the queue and the command


def refresh_progress(learner_ids: Iterable[int], as_of: date | None = None, bulk: bool = False) -> int:
    """Re-audit every enrolment of these learners and store the results; returns how many. Then
    tell the plugins (``lms_progress_refreshed``): plans re-checked, credentials now complete...

    A fixed number of statements whatever the number of learners (callers give at most
    :data:`REAUDIT_BATCH`, see :func:`refresh_in_batches`): rows read as columns, no ORM object,
    the snapshots written by two executemany statements (update, insert)."""
    ids = sorted(set(learner_ids))
    if not ids:
        return 0
    db.session.flush()  # read what was written; marking them current below relies on it
    today = as_of or utcnow().date()
    catalog = catalogue_from_database()
    rows = db.session.execute(
        sa.select(Enrolment.id, Enrolment.learner_id, Programme.code, ProgrammeVersion.version)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(Enrolment.learner_id.in_(ids))
    ).all()
    existing = dict(
        db.session.execute(
            sa.select(ProgressSnapshot.enrolment_id, ProgressSnapshot.id).where(
                ProgressSnapshot.enrolment_id.in_([row[0] for row in rows])
            )
        ).all()
    )
    learners = db.session.execute(sa.select(Learner.id, Learner.learner_number).where(Learner.id.in_(ids))).all()
    records = learner_records(learners, today)  # five statements for the whole batch
    now = utcnow()
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    for enrolment_id, learner_id, code, version in rows:
        result = audit(
            catalog.programs[(code, version)], catalog.units, catalog.equivalences, records[learner_id], today
        )
        missing = result["missing_ects"]
        values = {
            "status": AuditStatus(result["status"]),
            "earned_ects": Decimal(str(result["earned_ects"])),
            "counted_ects": counted_ects(result),
            "in_progress_ects": Decimal(str(result["in_progress_ects"])),
            "missing_ects": None if missing is None else Decimal(str(missing)),
            "result": result,
            "computed_at": now,
        }
        snapshot_id = existing.get(enrolment_id)
        if snapshot_id is None:
            inserts.append({"enrolment_id": enrolment_id, **values})
        else:
            updates.append({"id": snapshot_id, **values})
    _write_snapshots(updates, inserts)
    holdings.mark_current(ids)
    # Every learner's record goes to the plugins, those with no enrolment too.
    plugin_manager().hook.lms_progress_refreshed(records=records, catalog=catalog, as_of=today, bulk=bulk)
    return len(rows)


def _write_snapshots(updates: list[dict[str, Any]], inserts: list[dict[str, Any]]) -> None:
    """One UPDATE by primary key and one INSERT, each executed for many rows. A snapshot already
    loaded in the session (a page that showed it, then saved a grade) is expired: read again."""
    session = db.session()
    if updates:
        session.execute(sa.update(ProgressSnapshot), updates)
        for values in updates:
            loaded = session.identity_map.get(session.identity_key(ProgressSnapshot, values["id"]))
            if loaded is not None:
                session.expire(loaded)
    if inserts:
        session.execute(sa.insert(ProgressSnapshot), inserts)


def refresh_in_batches(
    learner_ids: Iterable[int],
    as_of: date | None = None,
    *,
    bulk: bool = False,
    after_batch: Callable[[list[int]], None] | None = None,
    batch: int = REAUDIT_BATCH,
) -> int:
    """The one re-audit loop (the holdings hook, :func:`refresh_all`, ``lms progress refresh``, the
    queue's tasks): :func:`refresh_progress` on ``batch`` learners at a time, in order;
    returns how many enrolments. ``after_batch(ids)`` runs after each batch: the command commits
    there (one transaction a batch keeps memory flat); without it every batch stays in the
    caller's transaction."""
    ids = sorted(set(learner_ids))
    done = 0
    for first in range(0, len(ids), batch):
        chunk = ids[first : first + batch]
        with _collector_paused():
            done += refresh_progress(chunk, as_of=as_of, bulk=bulk)
        if after_batch is not None:
            after_batch(chunk)
    return done


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off during one batch: a batch keeps every audit's result (a few
    hundred dicts and lists each) until the snapshots are written, and the collector, triggered
    by the allocations, walks them again and again (a fifth of a batch's CPU at 500 learners).
    Nothing is lost: cycles left by the batch go at the next collection. Only whoever paused it
    resumes it (two threads pausing at once leave it on when the first is done, never off)."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def enrolled_learner_ids(after: int | None = None, limit: int | None = None) -> list[int]:
    """The ids of the learners with an enrolment, in order (those above ``after``, at most ``limit``)."""
    query = sa.select(Enrolment.learner_id).distinct().order_by(Enrolment.learner_id)
    if after is not None:
        query = query.where(Enrolment.learner_id > after)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def refresh_all(batch: int = REAUDIT_BATCH, as_of: date | None = None) -> int:
    """Re-audit every learner (after a catalogue change, for instance), in batches."""
    db.session.flush()
    done = refresh_in_batches(enrolled_learner_ids(), as_of, bulk=True, batch=batch)
    holdings.mark_current(holdings.EVERYONE)
    return done
