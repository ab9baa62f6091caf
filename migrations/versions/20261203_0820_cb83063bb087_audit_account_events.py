"""audit log records account deactivation, reactivation and password links

Revision ID: cb83063bb087
Revises: 00f1d1f5b767
Create Date: 2026-12-03 08:20:00+00:00

"""

from migration_helpers import allow_audit_events

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


def upgrade():
    allow_audit_events(AFTER)


def downgrade():
    allow_audit_events(BEFORE)
