"""progress snapshots store the validated ECTS that count toward the programme (counted_ects)

Revision ID: 8c4e2f6a1b37
Revises: 7ed463b41066
Create Date: 2026-12-03 20:30:00+00:00

"""

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from lms.progress.audit.figures import counted_ects

# revision identifiers, used by Alembic.
revision = "8c4e2f6a1b37"
down_revision = "7ed463b41066"
branch_labels = None
depends_on = None

snapshots = sa.table(
    "progress_snapshots", sa.column("id"), sa.column("result", sa.JSON), sa.column("counted_ects", sa.Numeric(6, 1))
)


def upgrade():
    with op.batch_alter_table("progress_snapshots") as batch:
        batch.add_column(sa.Column("counted_ects", sa.Numeric(6, 1), nullable=False, server_default="0"))
    # Existing audits are read back, so reports agree with the learners' pages before any re-audit.
    connection = op.get_bind()
    for snapshot_id, result in connection.execute(sa.select(snapshots.c.id, snapshots.c.result)).all():
        try:
            value = counted_ects(result)
        except (KeyError, TypeError):  # a result of an older shape: the next re-audit fills it
            value = Decimal(0)
        if value:
            connection.execute(snapshots.update().where(snapshots.c.id == snapshot_id).values(counted_ects=value))


def downgrade():
    with op.batch_alter_table("progress_snapshots") as batch:
        batch.drop_column("counted_ects")
