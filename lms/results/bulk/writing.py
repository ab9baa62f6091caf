"""The writing pass of a results import: set-based statements from the staging table.

A handful of statements whatever the file's size, all in the import's one transaction: the new
results (``INSERT ... SELECT``), the changed ones (``UPDATE ... FROM``, each checked against the
version the checking pass read: a result changed meanwhile aborts the whole import), then their
history rows, in the order the grade sheet writes them (create, edit, correction, then publish).
Then the learners whose published results changed are announced
(``lms.core.holdings.holdings_changed``: these writes bypass the unit of work, so they are
announced by hand): progress re-audits them in the same transaction, or queues a job for them
when they are many.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from lms.core.base import UTCDateTime
from lms.core.holdings import holdings_changed
from lms.results.bulk import staging
from lms.results.bulk.staging import CORRECT, CREATE, EDIT, PUBLISH_ONLY
from lms.results.models import Result, ResultHistory

REASON = "results imported"


class ChangedMeanwhile(RuntimeError):
    """A result changed between the check and the write: nothing is written."""


def write(connection: sa.Connection, *, now: datetime, actor_id: int | None, source: str) -> None:
    s = staging.table.c
    results = Result.__table__
    r = results.c
    at = sa.literal(now, UTCDateTime())
    actor = sa.literal(actor_id, sa.Integer())
    published_on = sa.func.coalesce(s.decided_on, sa.literal(now.date(), sa.Date()))
    status = sa.case((s.publish, sa.literal("published")), else_=sa.literal("draft"))
    created = sa.select(
        s.registration_id,
        s.exam_session,
        s.grade,
        s.absent,
        s.decision,
        s.comment,
        status,
        sa.false(),
        sa.literal(1),
        sa.case((s.publish, published_on), else_=sa.null()),
        sa.case((s.publish, at), else_=sa.null()),
        at,
        actor,
        at,
    ).where(s.action == CREATE)
    connection.execute(
        results.insert().from_select(
            [
                "registration_id",
                "exam_session",
                "grade",
                "absent",
                "decision",
                "comment",
                "status",
                "locked",
                "version",
                "decided_on",
                "published_at",
                "updated_at",
                "updated_by_id",
                "created_at",
            ],
            created,
        )
    )
    changes = (EDIT, PUBLISH_ONLY, CORRECT)
    expected = connection.scalar(sa.select(sa.func.count()).where(s.action.in_(changes))) or 0
    if expected:
        updated = connection.execute(
            results.update()
            .where(r.id == s.result_id, r.version == s.old_version, s.action.in_(changes))
            .values(
                grade=s.grade,
                absent=s.absent,
                decision=s.decision,
                comment=s.comment,
                locked=s.locked,
                status=sa.case((s.publish, sa.literal("published")), else_=r.status),
                published_at=sa.case((s.publish, at), else_=r.published_at),
                decided_on=sa.case((s.publish, published_on), else_=r.decided_on),
                version=r.version + 1,
                updated_at=at,
                updated_by_id=actor,
            )
        ).rowcount
        if updated != expected:
            raise ChangedMeanwhile(f"{expected - updated} results changed while the file was checked")
    json = _json(connection)
    for action, old, new, where in (
        ("create", sa.literal("null"), s.mid_json, s.action == CREATE),
        ("edit", s.old_json, s.mid_json, s.action == EDIT),
        ("correction", s.old_json, s.new_json, s.action == CORRECT),
        ("publish", s.mid_json, s.new_json, s.publish),
    ):
        rows = (
            sa.select(
                r.id,
                sa.literal(action),
                at,
                actor,
                json(old),
                json(new),
                sa.literal(source),
                sa.case((s.action == CORRECT, s.reason), else_=sa.null()),
            )
            .select_from(staging.table)
            .join(results, sa.and_(r.registration_id == s.registration_id, r.exam_session == s.exam_session))
            .where(where)
            .order_by(s.line)
        )
        connection.execute(
            ResultHistory.__table__.insert().from_select(
                ["result_id", "action", "changed_at", "changed_by_id", "old_value", "new_value", "source", "reason"],
                rows,
            )
        )


def _json(connection: sa.Connection) -> Callable[[sa.ColumnElement], sa.ColumnElement]:
    """JSON text as the history's JSON column stores it (JSONB on PostgreSQL, text on SQLite)."""
    if connection.dialect.name == "postgresql":
        return lambda text: sa.cast(text, JSONB)
    return lambda text: text


def reaudit(connection: sa.Connection) -> int:
    """Announce the learners whose published results changed (progress re-audits them in this
    transaction, 500 at a time, or past ``lms.progress.tasks.QUEUE_FROM`` learners queues a job
    for them); how many."""
    s = staging.table.c
    ids = list(connection.scalars(sa.select(s.learner_id).where(staging.audited()).distinct().order_by(s.learner_id)))
    if ids:
        holdings_changed(ids, REASON)
    return len(ids)


__all__ = ["ChangedMeanwhile", "reaudit", "write"]
