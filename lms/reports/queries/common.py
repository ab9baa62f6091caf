"""Who sees what (:class:`Scope`), the filters of the report pages, and small shared helpers."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.catalog.models import Programme
from lms.core.paging import Page, paginate
from lms.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """The programmes a user may report on: ``None`` for every programme (administrators)."""

    programme_ids: frozenset[int] | None

    def allows(self, programme_id: int) -> bool:
        return self.programme_ids is None or programme_id in self.programme_ids

    def where(self, column) -> sa.ColumnElement[bool]:
        return sa.true() if self.programme_ids is None else column.in_(sorted(self.programme_ids))


@dataclass(frozen=True)
class Filters:
    programme_id: int | None = None
    year: int | None = None  # academic year (2025 = 2025-2026)

    def programme(self, column) -> sa.ColumnElement[bool]:
        return sa.true() if self.programme_id is None else column == self.programme_id

    def within_year(self, column) -> sa.ColumnElement[bool]:
        """``column`` (a date) falls in the chosen academic year (September to August)."""
        if self.year is None:
            return sa.true()
        return sa.and_(column >= date(self.year, 9, 1), column < date(self.year + 1, 9, 1))


def scope_for(user: User) -> Scope:
    if user.has_role(Role.ADMIN):
        return Scope(None)
    from lms.catalog.directors import directed_programme_ids

    return Scope(frozenset(directed_programme_ids(user)))


@dataclass(frozen=True)
class ProgrammeChoice:
    id: int
    code: str


def programme_choices(scope: Scope) -> list[ProgrammeChoice]:
    rows = db.session.execute(
        sa.select(Programme.id, Programme.code).where(scope.where(Programme.id)).order_by(Programme.code)
    )
    return [ProgrammeChoice(*row) for row in rows]


def ratio(part: int, whole: int | None) -> Decimal | None:
    """``part / whole`` rounded to 0.001, or ``None`` when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001"))


def median(values: list) -> Decimal | None:
    if not values:
        return None
    return Decimal(str(statistics.median(values)))


def paged(query: sa.Select, convert: Callable[[Any], T], page: int, per_page: int) -> Page[T]:
    """Page ``page`` of ``query`` (pages counted from 1, clamped), each row converted: two statements."""
    found = paginate(query, page, per_page)
    return found.with_rows([convert(row) for row in found.rows])
