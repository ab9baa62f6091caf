"""One pager for every long list: a :class:`Page` of rows and :func:`paginate`, two statements
whatever the size of the list (a count and one page). ``templates/_macros/pager.html`` shows it.

A list that may hold hundreds of thousands of rows is counted only a few pages ahead of the one
shown (``look_ahead``): the count reads a bounded number of rows, and the page says "more than"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from lms.extensions import db

T = TypeVar("T")
LOOK_AHEAD = 10  # pages counted past the one shown, for lists counted only that far
U = TypeVar("U")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a long list and the length of the whole list (pages counted from 1)."""

    rows: Sequence[T]
    total: int
    page: int
    per_page: int
    more: bool = False  # ``total`` is a lower bound: rows follow beyond those counted

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or self.more

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
    look_ahead: int | None = None,
) -> Page[Any]:
    """Page ``page`` of ``query``, clamped to the pages there are: the rows (the first column of
    each with ``scalars``) and the total, counted by ``count`` when given (a cheaper statement
    than counting ``query``, e.g. without its joins for display).

    ``query`` may also be a function of (limit, offset) giving the page's statement, for a page
    that picks its rows first and only then joins what it shows (``count`` is then required).

    ``look_ahead``: count no further than that many pages past ``page`` (``count`` is then the
    statement of the rows to count, not a count); beyond, the page has ``more``."""
    page = max(1, page)
    cap = None if look_ahead is None else (page + look_ahead) * per_page + 1
    if count is None:
        if callable(query):
            raise TypeError("paginate: a windowed query needs its count statement")
        count = query.order_by(None)
        if cap is None:
            count = sa.select(sa.func.count()).select_from(count.subquery())
    if cap is not None:
        count = sa.select(sa.func.count()).select_from(count.limit(cap).subquery())
    total = db.session.scalar(count) or 0
    more = cap is not None and total >= cap
    if more:
        total = cap - 1
    page = min(page, -(-total // per_page) or 1)
    offset = (page - 1) * per_page
    window = query(per_page, offset) if callable(query) else query.limit(per_page).offset(offset)
    rows = list(db.session.scalars(window)) if scalars else db.session.execute(window).all()
    return Page(rows, total, page, per_page, more)


def page_of(rows: Sequence[T], page: int, per_page: int) -> Page[T]:
    """Page ``page`` of a list already in memory (e.g. ranked in Python), clamped like :func:`paginate`."""
    total = len(rows)
    page = max(1, min(page, -(-total // per_page) or 1))
    return Page(rows[(page - 1) * per_page : page * per_page], total, page, per_page)
