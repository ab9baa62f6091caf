"""API tokens: personal ones (a user's own, made on the account page) and service ones (a system's,
made by administrators with ``lms tokens create``). Only a SHA-256 of the secret is stored: the
secret is shown once, when the token is made."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.base import enum_type
from lms.extensions import db


class Scope(enum.StrEnum):
    """What a token may do, on top of what its user's roles allow. Each includes the ones before
    it: ``write`` can read, ``admin`` can write."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Scope).index(self)


class TokenKind(enum.StrEnum):
    PERSONAL = "personal"
    SERVICE = "service"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TokenKind] = mapped_column(enum_type(TokenKind, "token_kind"))
    name: Mapped[str] = mapped_column(sa.String(100))
    # The user the token acts as: the owner of a personal token, the service account of a service one.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scope: Mapped[Scope] = mapped_column(enum_type(Scope, "token_scope"))
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters of the secret, shown in lists so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def allows(self, needed: Scope) -> bool:
        return self.scope.rank >= needed.rank

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
