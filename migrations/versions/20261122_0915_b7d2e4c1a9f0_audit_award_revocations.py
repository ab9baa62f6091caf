"""audit log records award revocations

Revision ID: b7d2e4c1a9f0
Revises: 34ab50d2e81e
Create Date: 2026-11-22 09:15:00+00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d2e4c1a9f0"
down_revision = "34ab50d2e81e"
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
)
AFTER = BEFORE + ("award_revoked",)
CONSTRAINT = "ck_audit_log_audit_event"


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


def upgrade():
    _allow(AFTER)


def downgrade():
    _allow(BEFORE)
