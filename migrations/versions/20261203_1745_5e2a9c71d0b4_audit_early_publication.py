"""audit log records results published before the exam date

Revision ID: 5e2a9c71d0b4
Revises: cb83063bb087
Create Date: 2026-12-03 17:45:00+00:00

"""

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
    # Refused while early publications are on record: the audit log is append-only.
    _allow(BEFORE)
