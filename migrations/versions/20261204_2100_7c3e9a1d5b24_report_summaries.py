"""report summaries: the validation rates per unit, year and exam session and each learner's last
activity, kept current by the task queue, and when each summary was computed

Revision ID: 7c3e9a1d5b24
Revises: 5d2b8e4f6a91
Create Date: 2026-12-04 21:00:00+00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c3e9a1d5b24"
down_revision = "5d2b8e4f6a91"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_summaries",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_report_summaries")),
    )
    op.create_table(
        "report_unit_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("exam_session", sa.Integer(), nullable=False),
        sa.Column("graded", sa.Integer(), nullable=False),
        sa.Column("validated", sa.Integer(), nullable=False),
        sa.Column("absent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_report_unit_results_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_unit_results")),
        sa.UniqueConstraint("academic_year", "unit_id", "exam_session", name=op.f("uq_report_unit_results_one_line")),
    )

    op.create_table(
        "report_learner_activity",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("last_registration_year", sa.Integer(), nullable=True),
        sa.Column("last_result_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_report_learner_activity_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("learner_id", name=op.f("pk_report_learner_activity")),
    )


def downgrade():
    op.drop_table("report_learner_activity")
    op.drop_table("report_unit_results")
    op.drop_table("report_summaries")
