"""What several revisions do the same way; on sys.path through ``prepend_sys_path`` in alembic.ini.

Revisions call these with their own values, so the DDL of an old revision stays what it was:
change a helper only in ways every caller still gets the same statements from."""

from alembic import op

AUDIT_EVENT_CHECK = "ck_audit_log_audit_event"


def sqlite_append_only(table):
    """A SQLite table rebuild drops its triggers: put the append-only ones back."""
    for action in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_no_{action.lower()}")
        op.execute(
            f"CREATE TRIGGER trg_{table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def allow_audit_events(values):
    """Rebuild the CHECK of audit_log.event so that it allows exactly ``values``."""
    condition = "event IN ({})".format(", ".join(f"'{value}'" for value in values))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite rebuilds the table to change a CHECK; the rebuild drops its append-only triggers.
        with op.batch_alter_table("audit_log", recreate="always") as batch_op:
            batch_op.drop_constraint(op.f(AUDIT_EVENT_CHECK), type_="check")
            batch_op.create_check_constraint(op.f(AUDIT_EVENT_CHECK), condition)
        sqlite_append_only("audit_log")
    else:
        op.drop_constraint(op.f(AUDIT_EVENT_CHECK), "audit_log", type_="check")
        op.create_check_constraint(op.f(AUDIT_EVENT_CHECK), "audit_log", condition)


def sqlite_foreign_keys(enabled):
    """SQLite rebuilds a table to change it: with foreign keys on, dropping the old copy would
    delete (cascade) or refuse the rows that reference it, so revisions turn them off around the
    rebuild. The pragma only works outside a transaction: commit what came before."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    dbapi = bind.connection.dbapi_connection
    if dbapi.in_transaction:
        dbapi.commit()
    dbapi.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
