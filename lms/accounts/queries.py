"""Reads of accounts for every area: a user by e-mail or id, a learner by number; and the
administrators' list of accounts."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import Learner, Role, User, UserRole
from lms.core.paging import LOOK_AHEAD, Page, paginate
from lms.core.search import matches_words
from lms.extensions import db


def user_by_email(email: str) -> User | None:
    """The user with this e-mail address (trimmed, case-insensitive: addresses are stored lower case)."""
    return db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def learner_by_number(number: str) -> Learner | None:
    """The learner with this number, trimmed and case-insensitive ("100000w" finds 100000W).

    The spellings are listed rather than ``upper(learner_number)`` compared so that the unique
    index answers (a number holds one letter at most, its check letter)."""
    wanted = (number or "").strip()
    if not wanted:
        return None
    spellings = sorted({wanted, wanted.upper(), wanted.lower()})
    return db.session.scalar(sa.select(Learner).where(Learner.learner_number.in_(spellings)))


# --- administrators' list of accounts ----------------------------------------------------------


@dataclass(frozen=True)
class AccountLine:
    user: User
    learner_number: str | None


def account_page(text: str = "", role: Role | None = None, page: int = 1, per_page: int = 50) -> Page[AccountLine]:
    """Accounts whose name, e-mail address or learner number holds every word of ``text`` (accents
    and case ignored), holding ``role`` if given, by name: a count (a few pages ahead) and one page whatever the data."""
    condition = matches_words(text, User.search_key, (Learner.learner_number, Learner.user_id))
    if role is not None:
        condition = sa.and_(
            condition, sa.exists().where(UserRole.user_id == User.id, UserRole.role == role).correlate(User)
        )
    query = sa.select(User, Learner.learner_number).outerjoin(Learner, Learner.user_id == User.id).where(condition)
    found = paginate(query.order_by(User.name, User.id), page, per_page, look_ahead=LOOK_AHEAD)
    return found.with_rows([AccountLine(user, number) for user, number in found.rows])


def get_account(user_id: int) -> AccountLine | None:
    row = db.session.execute(
        sa.select(User, Learner.learner_number).outerjoin(Learner, Learner.user_id == User.id).where(User.id == user_id)
    ).first()
    return AccountLine(*row) if row else None
