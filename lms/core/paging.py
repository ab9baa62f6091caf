"""One pager for every long list: a :class:`Page` of rows and :func:`paginate`, two statements
whatever the size of the list (a count and one page). ``templates/_macros/pager.html`` shows it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from lms.extensions import db

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a long list and the length of the whole list (pages counted from 1)."""

    rows: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def with_rows(self, rows: Sequence[U]) -> Page[U]:
        """The same page holding ``rows`` (the fetched rows turned into what the page shows)."""
        return replace(self, rows=rows)  # type: ignore[return-value]


def paginate(
    query: sa.Select | Callable[[int, int], sa.Select],
    page: int,
    per_page: int,
    *,
    count: sa.Select | None = None,
    scalars: bool = False,
) -> Page[Any]:
    """Page ``page`` of ``query``, clamped to the pages there are: the rows (the first column of
    each with ``scalars``) and the total, counted by ``count`` when given (a cheaper statement
    than counting ``query``, e.g. without its joins for display).

    ``query`` may also be a function of (limit, offset) giving the page's statement, for a page
    that picks its rows first and only then joins what it shows (``count`` is then required)."""
    if count is None:
        if callable(query):
            raise TypeError("paginate: a windowed query needs its count statement")
        count = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    total = db.session.scalar(count) or 0
    page = max(1, min(page, -(-total // per_page) or 1))
    offset = (page - 1) * per_page
    window = query(per_page, offset) if callable(query) else query.limit(per_page).offset(offset)
    rows = list(db.session.scalars(window)) if scalars else db.session.execute(window).all()
    return Page(rows, total, page, per_page)


def page_of(rows: Sequence[T], page: int, per_page: int) -> Page[T]:
    """Page ``page`` of a list already in memory (e.g. ranked in Python), clamped like :func:`paginate`."""
    total = len(rows)
    page = max(1, min(page, -(-total // per_page) or 1))
    return Page(rows[(page - 1) * per_page : page * per_page], total, page, per_page)
