"""Accent- and case-insensitive search on both engines.

Searchable tables keep a ``search_key`` column: their searchable text folded by :func:`fold`
(Unicode compatibility decomposition, case folding, combining marks dropped), filled on every
ORM write. A query folds its words the same way and matches with a plain ``LIKE``, which behaves
the same on SQLite and PostgreSQL: "securite" finds "Sécurité".
"""

from __future__ import annotations

import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

# Ligatures and typographic apostrophes people do not type.
_SPELLED_OUT = str.maketrans({"œ": "oe", "æ": "ae", "’": "'", "‘": "'"})


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


def matches_words(text: str, *columns: sa.ColumnElement[str], max_words: int = 10) -> sa.ColumnElement[bool]:
    """Every word of ``text``, folded, appears in at least one of ``columns`` (``search_key``
    columns, or expressions already folded such as ``lower(code)``)."""
    condition: sa.ColumnElement[bool] = sa.true()
    for word in fold(text).split()[:max_words]:
        condition = sa.and_(condition, sa.or_(*(column.contains(word, autoescape=True) for column in columns)))
    return condition
