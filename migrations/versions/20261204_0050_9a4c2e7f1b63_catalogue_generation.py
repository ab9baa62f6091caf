"""catalogue generation: one number that changes with every change of the catalogue, so that each
process keeps one copy of the catalogue while it is unchanged

Revision ID: 9a4c2e7f1b63
Revises: 3f9a1c5e7b02
Create Date: 2026-12-04 00:50:00+00:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9a4c2e7f1b63"
down_revision = "3f9a1c5e7b02"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "catalogue_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_generation")),
    )
    op.bulk_insert(table, [{"id": 1, "generation": secrets.randbits(62)}])


def downgrade():
    op.drop_table("catalogue_generation")
