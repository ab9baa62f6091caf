"""background jobs: work on the task queue someone follows on a page (a catalogue-wide re-audit,
a ZIP of certificates), with its progress and what it made for download

Revision ID: 5d2b8e4f6a91
Revises: cd311f93bc7d
Create Date: 2026-12-04 20:00:00+00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "5d2b8e4f6a91"
down_revision = "cd311f93bc7d"
branch_labels = None
depends_on = None

STATUSES = ("queued", "running", "done", "failed")


def upgrade():
    op.create_table(
        "background_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="job_status", native_enum=False, create_constraint=True, length=15),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("output_name", sa.String(length=200), nullable=True),
        sa.Column("output_type", sa.String(length=100), nullable=True),
        sa.Column("output", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint("done >= 0 AND total >= 0", name=op.f("ck_background_jobs_counts_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_background_jobs_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_jobs")),
    )
    with op.batch_alter_table("background_jobs") as batch_op:
        batch_op.create_index(batch_op.f("ix_background_jobs_created_by_id"), ["created_by_id"], unique=False)


def downgrade():
    op.drop_table("background_jobs")
