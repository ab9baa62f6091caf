"""search indexes (FTS5 trigram tables on SQLite, pg_trgm GIN indexes on PostgreSQL) on the users',
units' and learner numbers' keys, and the report summaries the task queue keeps (overview counts,
time to diploma, intake funnels, dormant enrolments)

Revision ID: e4b7a2c9d813
Revises: 7c3e9a1d5b24
Create Date: 2026-12-05 00:00:00+00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4b7a2c9d813"
down_revision = "7c3e9a1d5b24"
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


def upgrade():
    upgrade_search()


def downgrade():
    downgrade_search()
