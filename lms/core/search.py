"""Accent- and case-insensitive search on both engines, served by trigram indexes.

Searchable tables keep a ``search_key`` column: their searchable text folded by :func:`fold`
(Unicode compatibility decomposition, case folding, combining marks dropped), filled on every
ORM write. A query folds its words the same way; every word must appear in one of the keys
searched (:func:`matches_words`): "securite" finds "Sécurité".

The keys are indexed so that a search reads the matching rows only, whatever the size of the table
(:data:`INDEXED`, created by the migration ``search_indexes``):

- PostgreSQL: a ``pg_trgm`` GIN index on each key, which answers ``LIKE '%word%'`` (and the
  prefix ``LIKE 'wo%'``) without reading the table;
- SQLite: an FTS5 table ``<table>_search`` with the ``trigram`` tokenizer, external content (the
  table itself, ``rowid`` = its ``id``), kept by triggers on insert, update and delete; a word of
  three characters or more is a phrase query on it (the same rows as ``LIKE '%word%'``). A shorter
  word, which no trigram holds, falls back to a prefix match of the key (a B-tree range).

A batch migration that rebuilds one of these tables on SQLite drops its triggers: such a
migration must recreate them (:func:`sqlite_trigger_sql`).
"""

from __future__ import annotations

import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db

# Ligatures and typographic apostrophes people do not type.
_SPELLED_OUT = str.maketrans({"œ": "oe", "æ": "ae", "’": "'", "‘": "'"})

# (table, key column, stored upper case): the keys with a trigram index. Learner numbers are stored
# upper case ("100000W"): a folded (lower-case) word is upper-cased to compare with them.
INDEXED: tuple[tuple[str, str, bool], ...] = (
    ("users", "search_key", False),
    ("units", "search_key", False),
    ("learners", "learner_number", True),
)
MIN_TRIGRAM = 3  # shorter words: a prefix match
_LAST = "\U0010ffff"  # sorts after every character (SQLite compares UTF-8 bytes)


def fold(text: str | None) -> str:
    """``text`` without case, accents or ligatures: the form both sides of a search compare."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold().translate(_SPELLED_OUT))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Searchable:
    """Mixin: a ``search_key`` column made from the attributes named in ``__search_fields__``."""

    __search_fields__: tuple[str, ...] = ()

    search_key: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    def refresh_search_key(self) -> None:
        self.search_key = " ".join(fold(getattr(self, name, None)) for name in self.__search_fields__)


def _refresh(_mapper: Any, _connection: Any, target: Searchable) -> None:
    target.refresh_search_key()


sa.event.listen(Searchable, "before_insert", _refresh, propagate=True)
sa.event.listen(Searchable, "before_update", _refresh, propagate=True)


def fts_table(table: str) -> str:
    return f"{table}_search"


def is_index_machinery(kind: str, name: str | None) -> bool:
    """A table or index of the search indexes, which the models do not declare (Alembic's
    comparison of models and schema leaves them aside)."""
    name = name or ""
    if kind == "table":
        return any(name == fts_table(table) or name.startswith(fts_table(table) + "_") for table, _c, _u in INDEXED)
    return kind == "index" and name.startswith("ix_search_")


def _column(attribute):
    """The table column behind a mapped attribute (``User.search_key``) or a column."""
    return getattr(attribute, "expression", attribute)


def _key_of(column) -> tuple[str, bool]:
    table = column.table.name
    for name, key, upper in INDEXED:
        if name == table and key == column.key:
            return table, upper
    raise ValueError(f"matches_words: {table}.{column.key} has no search index (lms.core.search.INDEXED)")


def _rows_matching(column, link, word: str, dialect: str) -> sa.Select:
    """The ``link`` values (an id column of ``column``'s table) of the rows whose ``column`` holds
    ``word`` (a folded word)."""
    column, link = _column(column), _column(link)
    table_name, upper = _key_of(column)
    table = column.table
    if upper:
        word = word.upper()
    if dialect == "sqlite" and len(word) >= MIN_TRIGRAM:
        fts = sa.table(fts_table(table_name), sa.column("rowid"))
        phrase = '"' + word.replace('"', '""') + '"'
        hits = sa.select(fts.c.rowid).where(sa.literal_column(fts_table(table_name)).op("MATCH")(phrase))
        if link.table is table and link.key == "id":
            return hits
        return sa.select(link).where(table.c.id.in_(hits))
    if len(word) >= MIN_TRIGRAM:
        condition = column.contains(word, autoescape=True)
    elif dialect == "sqlite":
        condition = sa.and_(column >= word, column < word + _LAST)
    else:
        condition = column.startswith(word, autoescape=True)
    return sa.select(link).where(condition)


def matches_words(text: str, *keys, max_words: int = 10) -> sa.ColumnElement[bool]:
    """Every word of ``text``, folded, appears in at least one of ``keys``: indexed key columns
    (:data:`INDEXED`), the first one on the table searched, the others on that table too or given
    as ``(column, link)``, ``link`` being their table's column holding the searched row's id (e.g.
    ``(Learner.learner_number, Learner.user_id)`` for users). A word of three characters or more
    matches anywhere in a key, a shorter one at its start. One ``IN`` per word, each answered by
    the trigram index."""
    pairs = [key if isinstance(key, tuple) else (key, _column(key).table.c.id) for key in keys]
    target = pairs[0][1]
    dialect = db.session.get_bind().dialect.name
    condition: sa.ColumnElement[bool] = sa.true()
    for word in fold(text).split()[:max_words]:
        selects = [_rows_matching(column, link, word, dialect) for column, link in pairs]
        rows = selects[0] if len(selects) == 1 else sa.union(*selects)
        condition = sa.and_(condition, target.in_(rows))
    return condition


# --- the indexes' DDL (the migration ``search_indexes`` runs a frozen copy) --------------------------


def sqlite_trigger_sql(table: str, column: str) -> list[str]:
    """The triggers keeping ``table``'s FTS5 table in step with it (SQLite)."""
    fts = fts_table(table)
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    return [
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN {delete} {insert} END",
    ]
