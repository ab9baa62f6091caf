"""Reads of the accounts area."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import Learner, Role, User, UserRole
from lms.core.search import matches_words
from lms.extensions import db

# --- administrators' list of accounts ----------------------------------------------------------


@dataclass(frozen=True)
class AccountLine:
    user: User
    learner_number: str | None


@dataclass(frozen=True)
class AccountPage:
    lines: list[AccountLine]
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


def account_page(text: str = "", role: Role | None = None, page: int = 1, per_page: int = 50) -> AccountPage:
    """Accounts whose name, e-mail address or learner number holds every word of ``text`` (accents
    and case ignored), holding ``role`` if given, by name: three statements whatever the data (a
    count, one page, the roles of that page)."""
    condition = matches_words(text, User.search_key, sa.func.lower(Learner.learner_number))
    if role is not None:
        condition = sa.and_(
            condition, sa.exists().where(UserRole.user_id == User.id, UserRole.role == role).correlate(User)
        )
    base = sa.select(User, Learner.learner_number).outerjoin(Learner, Learner.user_id == User.id).where(condition)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = db.session.execute(base.order_by(User.name, User.id).limit(per_page).offset((page - 1) * per_page)).all()
    return AccountPage([AccountLine(user, number) for user, number in rows], total, page, per_page)


def get_account(user_id: int) -> AccountLine | None:
    row = db.session.execute(
        sa.select(User, Learner.learner_number).outerjoin(Learner, Learner.user_id == User.id).where(User.id == user_id)
    ).first()
    return AccountLine(*row) if row else None
