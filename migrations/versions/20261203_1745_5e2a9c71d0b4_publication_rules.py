"""publication rules: the audit log records results published before the exam date, and a
correction in a result's history always gives its reason

Revision ID: 5e2a9c71d0b4
Revises: cb83063bb087
Create Date: 2026-12-03 17:45:00+00:00

"""

import sqlalchemy as sa
from alembic import op
from migration_helpers import allow_audit_events, sqlite_append_only

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
REASON = "ck_result_history_correction_has_reason"
REASON_CONDITION = "action <> 'correction' OR (reason IS NOT NULL AND length(trim(reason)) > 0)"


def upgrade():
    allow_audit_events(AFTER)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("result_history", recreate="always") as batch_op:
            batch_op.create_check_constraint(op.f(REASON), sa.text(REASON_CONDITION))
        sqlite_append_only("result_history")
    else:
        op.create_check_constraint(op.f(REASON), "result_history", sa.text(REASON_CONDITION))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("result_history", recreate="always") as batch_op:
            batch_op.drop_constraint(op.f(REASON), type_="check")
        sqlite_append_only("result_history")
    else:
        op.drop_constraint(op.f(REASON), "result_history", type_="check")
    # Refused while early publications are on record: the audit log is append-only.
    allow_audit_events(BEFORE)
