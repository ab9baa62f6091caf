"""search indexes (FTS5 trigram tables on SQLite, pg_trgm GIN indexes on PostgreSQL) on the users',
units' and learner numbers' keys, and the report summaries the task queue keeps (overview counts,
time to diploma, intake funnels, dormant enrolments)

Revision ID: e4b7a2c9d813
Revises: a4f2c8e61d37
Create Date: 2026-12-05 00:00:00+00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4b7a2c9d813"
down_revision = "a4f2c8e61d37"
branch_labels = None
depends_on = None

# A frozen copy of lms.core.search.INDEXED: (table, key column, B-tree for short prefixes on SQLite).
INDEXED = (("users", "search_key", True), ("units", "search_key", True), ("learners", "learner_number", False))


def _sqlite_triggers(table, column):
    fts = f"{table}_search"
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    return [
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN {delete} {insert} END",
    ]


def _trigram_extension(bind) -> bool:
    """pg_trgm there, or created now when this role may; False: the searches work unindexed."""
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        return True
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        return False
    return True


def upgrade_search():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table, column, prefix in INDEXED:
            fts = f"{table}_search"
            op.execute(
                f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', content_rowid='id', "
                "tokenize='trigram')"
            )
            for statement in _sqlite_triggers(table, column):
                op.execute(statement)
            op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
            if prefix:
                op.execute(f"CREATE INDEX ix_search_{table}_{column} ON {table} ({column})")
    elif _trigram_extension(bind):
        for table, column, _prefix in INDEXED:
            op.execute(f"CREATE INDEX ix_search_{table}_{column} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade_search():
    bind = op.get_bind()
    for table, column, _prefix in reversed(INDEXED):
        op.execute(f"DROP INDEX IF EXISTS ix_search_{table}_{column}")
        if bind.dialect.name == "sqlite":
            fts = f"{table}_search"
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")


def upgrade_summaries():
    op.create_table(
        "report_overview",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_report_overview")),
    )
    op.create_table(
        "report_award_durations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("academic_year", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("awards", sa.Integer(), nullable=False),
        sa.Column("median_days", sa.Numeric(precision=10, scale=1), nullable=True),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_report_award_durations_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_award_durations")),
    )
    op.create_index(
        "ix_report_award_durations_filter",
        "report_award_durations",
        ["kind", "academic_year", "programme_id"],
        unique=False,
    )
    op.create_table(
        "report_intake_applications",
        sa.Column("intake_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intake_id"],
            ["intakes.id"],
            name=op.f("fk_report_intake_applications_intake_id_intakes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("intake_id", "status", name=op.f("pk_report_intake_applications")),
    )
    op.create_table(
        "report_dormant_enrolments",
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("programme_code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("learner_number", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("last_registration_year", sa.Integer(), nullable=True),
        sa.Column("last_result_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_report_dormant_enrolments_enrolment_id_enrolments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_report_dormant_enrolments_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrolment_id", name=op.f("pk_report_dormant_enrolments")),
    )
    op.create_index(
        "ix_report_dormant_enrolments_order",
        "report_dormant_enrolments",
        ["programme_code", "name", "learner_number", "enrolment_id"],
        unique=False,
    )
    op.create_index(
        "ix_report_dormant_enrolments_programme",
        "report_dormant_enrolments",
        ["programme_id", "name", "learner_number", "enrolment_id"],
        unique=False,
    )


def downgrade_summaries():
    op.drop_index("ix_report_dormant_enrolments_programme", table_name="report_dormant_enrolments")
    op.drop_index("ix_report_dormant_enrolments_order", table_name="report_dormant_enrolments")
    op.drop_table("report_dormant_enrolments")
    op.drop_table("report_intake_applications")
    op.drop_index("ix_report_award_durations_filter", table_name="report_award_durations")
    op.drop_table("report_award_durations")
    op.drop_table("report_overview")


def upgrade():
    upgrade_search()
    upgrade_summaries()


def downgrade():
    downgrade_summaries()
    downgrade_search()
