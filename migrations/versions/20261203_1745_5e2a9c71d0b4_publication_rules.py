"""publication rules: the audit log records results published before the exam date, and a
correction in a result's history always gives its reason

Revision ID: 5e2a9c71d0b4
Revises: cb83063bb087
Create Date: 2026-12-03 17:45:00+00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e2a9c71d0b4"
down_revision = "cb83063bb087"
branch_labels = None
depends_on = None

BEFORE = (
    "login",
    "login_failed",
    "login_throttled",
    "logout",
    "access_denied",
    "password_changed",
    "role_granted",
    "role_revoked",
    "user_created",
    "award_revoked",
    "user_deactivated",
    "user_reactivated",
    "password_link",
    "password_reset",
)
AFTER = BEFORE + ("published_early",)
CONSTRAINT = "ck_audit_log_audit_event"
REASON = "ck_result_history_correction_has_reason"
REASON_CONDITION = "action <> 'correction' OR (reason IS NOT NULL AND length(trim(reason)) > 0)"


def _allow(values):
    condition = "event IN ({})".format(", ".join(f"'{value}'" for value in values))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite rebuilds the table to change a CHECK; the rebuild drops its append-only triggers.
        with op.batch_alter_table("audit_log", recreate="always") as batch_op:
            batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
            batch_op.create_check_constraint(op.f(CONSTRAINT), condition)
        for action in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_audit_log_no_{action.lower()}")
            op.execute(
                f"CREATE TRIGGER trg_audit_log_no_{action.lower()} BEFORE {action} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
    else:
        op.drop_constraint(op.f(CONSTRAINT), "audit_log", type_="check")
        op.create_check_constraint(op.f(CONSTRAINT), "audit_log", condition)


def _sqlite_append_only(table):
    # A SQLite table rebuild drops its triggers: put the append-only ones back.
    for action in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_no_{action.lower()}")
        op.execute(
            f"CREATE TRIGGER trg_{table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def upgrade():
    _allow(AFTER)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("result_history", recreate="always") as batch_op:
            batch_op.create_check_constraint(op.f(REASON), sa.text(REASON_CONDITION))
        _sqlite_append_only("result_history")
    else:
        op.create_check_constraint(op.f(REASON), "result_history", sa.text(REASON_CONDITION))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("result_history", recreate="always") as batch_op:
            batch_op.drop_constraint(op.f(REASON), type_="check")
        _sqlite_append_only("result_history")
    else:
        op.drop_constraint(op.f(REASON), "result_history", type_="check")
    # Refused while early publications are on record: the audit log is append-only.
    _allow(BEFORE)
