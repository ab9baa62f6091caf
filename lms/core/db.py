"""Engine set-up: SQLite pragmas for a safe embedded database."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from lms.extensions import db


def configure_engine(app: Flask) -> None:
    """Every SQLite connection runs with WAL, foreign keys on and a busy timeout.

    Creating the engine opens no connection, so this stays free of I/O.
    """
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "savepoint")
    def _savepoint_inside_a_transaction(connection: Any, _name: Any) -> None:
        # pysqlite begins a transaction only before a write: a SAVEPOINT opened first would be the
        # outermost transaction, and releasing it would commit before the request does. IMMEDIATE
        # because a savepoint is opened to write, and a deferred transaction that has read cannot
        # take the write lock once another writer has committed.
        dbapi_connection = connection.connection.dbapi_connection
        if not dbapi_connection.in_transaction:
            dbapi_connection.execute("BEGIN IMMEDIATE")


class AppendOnlyError(RuntimeError):
    """An UPDATE or DELETE of a row of an append-only table (history, audit log) was attempted."""


def _refuse_append_only_changes(session: Any, _flush_context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if getattr(obj, "__append_only__", False) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{obj.__tablename__} is append-only: rows are never updated or deleted")


def install_append_only_guard() -> None:
    """ORM-level guard (the migration adds database triggers as well). Idempotent."""
    from sqlalchemy.orm import Session

    if not sa.event.contains(Session, "before_flush", _refuse_append_only_changes):
        sa.event.listen(Session, "before_flush", _refuse_append_only_changes)


# --- session.info keys that live as long as the outermost transaction -------------------------

_PER_TRANSACTION: set[str] = set()


def per_transaction(key: str) -> str:
    """Declare ``key`` a ``session.info`` entry of the current transaction: forgotten when the
    outermost transaction ends (commit or rollback; a savepoint's end keeps it). Returns ``key``."""
    _PER_TRANSACTION.add(key)
    return key


@sa.event.listens_for(sa.orm.Session, "after_transaction_end")
def _forget_per_transaction(session: sa.orm.Session, transaction: sa.orm.SessionTransaction) -> None:
    if transaction.parent is None:
        for key in _PER_TRANSACTION:
            session.info.pop(key, None)
