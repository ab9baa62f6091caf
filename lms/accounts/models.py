"""Users, their roles, learner profiles and server-side login sessions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.base import TimestampMixin, enum_type
from lms.core.search import Searchable
from lms.extensions import db

if TYPE_CHECKING:
    from lms.timetable.models import Centre


class Role(enum.StrEnum):
    LEARNER = "learner"
    TUTOR = "tutor"
    DIRECTOR = "director"
    ADMIN = "admin"


class Funding(enum.StrEnum):
    CPF = "cpf"
    EMPLOYER = "employer"
    PERSONAL = "personal"
    PUBLIC = "public"  # France Travail, region
    OTHER = "other"


class User(UserMixin, Searchable, TimestampMixin, db.Model):
    __tablename__ = "users"
    __search_fields__ = ("name", "email")

    # Set when the user is loaded from a login session: Flask-Login keeps this key in the cookie.
    session_key = None

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr", server_default="fr")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    last_login_at: Mapped[datetime | None]

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    learner: Mapped[Learner | None] = relationship(back_populates="user", uselist=False)

    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("locale IN ('fr', 'en')", name="locale_known"),
    )

    def get_id(self) -> str | None:
        return self.session_key

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"), primary_key=True)
    granted_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="role_rows")


class Learner(TimestampMixin, db.Model):
    """The learner profile (auditeur) attached to a user account."""

    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), unique=True)
    learner_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    employer: Mapped[str | None] = mapped_column(sa.String(200))
    funding: Mapped[Funding | None] = mapped_column(enum_type(Funding, "funding"))
    home_centre_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centres.id", ondelete="SET NULL"))
    birth_date: Mapped[datetime | None] = mapped_column(sa.Date)

    user: Mapped[User] = relationship(back_populates="learner")
    home_centre: Mapped[Centre | None] = relationship()

    __table_args__ = (sa.CheckConstraint("length(learner_number) >= 4", name="learner_number_length"),)


class AuthSession(db.Model):
    """A login session. The browser cookie holds a random key; only its SHA-256 is stored here.

    Deleting the row (logout, password change, account disabled) kills the session at once,
    which a signed cookie alone cannot do.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))

    user: Mapped[User] = relationship()


class ExternalIdentity(db.Model):
    """An account's identity at an identity provider (single sign-on): the provider's issuer and
    its stable subject for the person. Logins find the account by this pair, never by e-mail
    alone; ``email`` is the address the provider last gave (it may change)."""

    __tablename__ = "external_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("issuer", "subject", name="uq_external_identities_one_subject"),)
