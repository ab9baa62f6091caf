"""substitutions record whether the substitute was only registered for, and the ECTS counted

Revision ID: 5d1c7a3e9b20
Revises: 5e0c1a7d9b21
Create Date: 2026-12-03 17:40:00+00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d1c7a3e9b20"
down_revision = "5e0c1a7d9b21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("substitutions") as batch_op:
        batch_op.add_column(sa.Column("substitute_registered", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("counted_ects", sa.Numeric(5, 1), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_substitutions_counted_ects_positive"), "counted_ects IS NULL OR counted_ects > 0"
        )


def downgrade():
    with op.batch_alter_table("substitutions") as batch_op:
        batch_op.drop_constraint(op.f("ck_substitutions_counted_ects_positive"), type_="check")
        batch_op.drop_column("counted_ects")
        batch_op.drop_column("substitute_registered")
