"""Stored audits: recompute the progress snapshots of some learners. Flushes, never commits.

Nothing outside progress calls this module: every write that changes what the audit sees (a
registration, a published result, a credit, an enrolment, a catalogue import...) is noticed by
:mod:`lms.core.holdings`, which fires ``lms_holdings_changed`` before the commit; progress's
implementation of the hook (``lms.progress.plugin``) calls :func:`refresh_progress`, in the same
transaction, so pages read a snapshot that is never stale and a failure rolls it back with the write.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

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


def refresh_progress(learner_ids: Iterable[int], as_of: date | None = None, bulk: bool = False) -> int:
    """Re-audit every enrolment of these learners and store the results; returns how many. Then
    tell the plugins (``lms_progress_refreshed``): plans re-checked, credentials now complete..."""
    ids = sorted(set(learner_ids))
    if not ids:
        return 0
    db.session.flush()  # read what was written; marking them current below relies on it
    today = as_of or utcnow().date()
    catalog = catalogue_from_database()
    rows = db.session.execute(
        sa.select(Enrolment, Programme.code, ProgrammeVersion.version)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(Enrolment.learner_id.in_(ids))
    ).all()
    snapshots = {
        snapshot.enrolment_id: snapshot
        for snapshot in db.session.scalars(
            sa.select(ProgressSnapshot)
            .where(ProgressSnapshot.enrolment_id.in_([row[0].id for row in rows]))
            .options(sa.orm.defer(ProgressSnapshot.result))  # overwritten below: never decode the old one
        )
    }
    learners = db.session.scalars(sa.select(Learner).where(Learner.id.in_(ids))).all()
    records = learner_records(learners, today)  # five statements for the whole batch
    now = utcnow()
    for enrolment, code, version in rows:
        record = records[enrolment.learner_id]
        result = audit(catalog.programs[(code, version)], catalog.units, catalog.equivalences, record, today)
        snapshot = snapshots.get(enrolment.id)
        if snapshot is None:
            snapshot = ProgressSnapshot(enrolment_id=enrolment.id)
            db.session.add(snapshot)
        snapshot.status = AuditStatus(result["status"])
        snapshot.earned_ects = Decimal(str(result["earned_ects"]))
        snapshot.counted_ects = counted_ects(result)
        snapshot.in_progress_ects = Decimal(str(result["in_progress_ects"]))
        snapshot.missing_ects = None if result["missing_ects"] is None else Decimal(str(result["missing_ects"]))
        snapshot.result = result
        snapshot.computed_at = now
    db.session.flush()
    holdings.mark_current(ids)
    # Every learner's record goes to the plugins, those with no enrolment too.
    plugin_manager().hook.lms_progress_refreshed(records=records, catalog=catalog, as_of=today, bulk=bulk)
    return len(rows)


def refresh_all(batch: int = 500, as_of: date | None = None) -> int:
    """Re-audit every learner (after a catalogue change, for instance), in batches."""
    db.session.flush()
    ids = db.session.scalars(sa.select(Enrolment.learner_id).distinct().order_by(Enrolment.learner_id)).all()
    done = 0
    for start in range(0, len(ids), batch):
        done += refresh_progress(ids[start : start + batch], as_of, bulk=True)
    holdings.mark_current(holdings.EVERYONE)
    return done
