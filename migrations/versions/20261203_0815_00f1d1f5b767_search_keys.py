"""users and units get a search key: their text without accents or case

Revision ID: 00f1d1f5b767
Revises: b7d2e4c1a9f0
Create Date: 2026-12-03 08:15:00+00:00

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "00f1d1f5b767"
down_revision = "b7d2e4c1a9f0"
branch_labels = None
depends_on = None

# (table, columns folded into the key), as lms.core.search.Searchable fills it on write.
TABLES = (("users", ("name", "email")), ("units", ("code", "title")))
_SPELLED_OUT = str.maketrans({"œ": "oe", "æ": "ae", "’": "'", "‘": "'"})


def _fold(text):
    """A frozen copy of lms.core.search.fold: a migration must not change when the app does."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold().translate(_SPELLED_OUT))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def upgrade():
    bind = op.get_bind()
    for table, columns in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("search_key", sa.Text(), server_default="", nullable=False))
        rows = sa.table(table, sa.column("id"), sa.column("search_key"), *(sa.column(name) for name in columns))
        keys = [
            {"row_id": row.id, "key": " ".join(_fold(getattr(row, name)) for name in columns)}
            for row in bind.execute(sa.select(rows.c.id, *(rows.c[name] for name in columns)))
        ]
        if keys:
            bind.execute(
                rows.update().where(rows.c.id == sa.bindparam("row_id")).values(search_key=sa.bindparam("key")), keys
            )


def downgrade():
    # A plain DROP COLUMN on both engines (SQLite >= 3.35): rebuilding these tables, as a batch
    # operation would, is refused while other tables' foreign keys point at them.
    for table, _columns in reversed(TABLES):
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_key")
