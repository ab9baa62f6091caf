"""Reads of accounts for every area: a user by e-mail or id, a learner by number."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import Learner, User
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
