"""The rows of an import, checked and resolved, in a temporary table of the import's transaction.

The checking pass appends each good row here (the learner, registration and result it concerns,
what to do, the value and its history snapshots as JSON text), a batch at a time: in one
``executemany`` on SQLite, through ``COPY`` on PostgreSQL. The writing pass then reads it with
``INSERT ... SELECT`` and ``UPDATE ... FROM`` statements: no row goes back through Python. The
table is dropped with the transaction (PostgreSQL: ``ON COMMIT DROP``; both: at the end).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

NAME = "lms_results_import"

# What a staged row does: nothing (the same value), a new result, a draft's new value, a draft
# published as it is, a published result corrected (with a reason).
NONE, CREATE, EDIT, PUBLISH_ONLY, CORRECT = "none", "create", "edit", "publish", "correct"

_metadata = sa.MetaData()
table = sa.Table(
    NAME,
    _metadata,
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("learner_id", sa.Integer, nullable=False),
    sa.Column("registration_id", sa.Integer, nullable=False),
    sa.Column("exam_session", sa.Integer, nullable=False),
    sa.Column("result_id", sa.Integer),
    sa.Column("old_version", sa.Integer),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("publish", sa.Boolean, nullable=False),
    sa.Column("grade", sa.Numeric(4, 2)),
    sa.Column("absent", sa.Boolean, nullable=False),
    sa.Column("decision", sa.String(20)),
    sa.Column("comment", sa.Text),
    sa.Column("locked", sa.Boolean, nullable=False),
    sa.Column("decided_on", sa.Date),
    sa.Column("reason", sa.Text),
    sa.Column("old_json", sa.Text),
    sa.Column("mid_json", sa.Text),
    sa.Column("new_json", sa.Text),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
COLUMNS = tuple(column.name for column in table.columns)


def create(connection: sa.Connection) -> None:
    drop(connection)
    table.create(connection)


def index(connection: sa.Connection) -> None:
    """After loading (building the index once is cheaper than keeping it along the inserts)."""
    connection.exec_driver_sql(f"CREATE INDEX ix_{NAME}_key ON {NAME} (registration_id, exam_session)")


def drop(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{NAME}")
    else:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{NAME}")


def load(connection: sa.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Append ``rows``: tuples in :data:`COLUMNS` order, of values any driver takes as they are
    (grades as text, dates in ISO format)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.dbapi_connection.cursor()
        with cursor.copy(f"COPY {NAME} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.close()
        return
    # The driver's executemany: no bind processing (the values come ready: text grades, ISO dates).
    placeholders = ", ".join("?" * len(COLUMNS))
    connection.connection.dbapi_connection.cursor().executemany(
        f"INSERT INTO {NAME} ({', '.join(COLUMNS)}) VALUES ({placeholders})", rows
    )


def duplicates(connection: sa.Connection) -> list[tuple[int, int]]:
    """(line, first line) of every row naming a result an earlier row of the file named."""
    first = (
        sa.select(table.c.registration_id, table.c.exam_session, sa.func.min(table.c.line).label("first"))
        .group_by(table.c.registration_id, table.c.exam_session)
        .having(sa.func.count() > 1)
        .subquery()
    )
    query = (
        sa.select(table.c.line, first.c.first)
        .join(
            first,
            sa.and_(table.c.registration_id == first.c.registration_id, table.c.exam_session == first.c.exam_session),
        )
        .where(table.c.line > first.c.first)
        .order_by(table.c.line)
    )
    return [(line, first_line) for line, first_line in connection.execute(query)]


def counts(connection: sa.Connection) -> dict[str, int]:
    """Rows by action, those published, and the learners whose published results change."""
    by_action = dict(connection.execute(sa.select(table.c.action, sa.func.count()).group_by(table.c.action)).all())
    published = connection.scalar(sa.select(sa.func.count()).where(table.c.publish)) or 0
    return {
        "rows": sum(by_action.values()),
        "unchanged": by_action.get(NONE, 0),
        "created": by_action.get(CREATE, 0),
        "edited": by_action.get(EDIT, 0),
        "corrected": by_action.get(CORRECT, 0),
        "kept": by_action.get(PUBLISH_ONLY, 0),
        "published": published,
        "learners": connection.scalar(sa.select(sa.func.count(sa.distinct(table.c.learner_id))).where(audited())) or 0,
    }


def audited() -> sa.ColumnElement[bool]:
    """The staged rows the audit sees: published now, or corrected."""
    return sa.or_(table.c.publish, table.c.action == CORRECT)


__all__ = ["COLUMNS", "CORRECT", "CREATE", "EDIT", "NONE", "PUBLISH_ONLY", "table"]
