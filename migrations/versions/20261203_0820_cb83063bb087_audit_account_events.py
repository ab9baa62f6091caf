"""audit log records account deactivation, reactivation and password links

Revision ID: cb83063bb087
Revises: 00f1d1f5b767
Create Date: 2026-12-03 08:20:00+00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "cb83063bb087"
down_revision = "00f1d1f5b767"
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
)
AFTER = BEFORE + ("user_deactivated", "user_reactivated", "password_link", "password_reset")
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
