"""LTI tables: registered platforms and their deployments, the tool's key pairs, the short-lived
launch state (OIDC state, nonces, launches kept for deep linking) and the platforms' courses seen
in launches (for the Names and Roles roster)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.base import JSONType, enum_type
from lms.core.time import utcnow
from lms.extensions import db


class MatchBy(enum.StrEnum):
    SUBJECT = "subject"  # only accounts already linked to the platform's subject (or created)
    EMAIL = "email"  # the platform's e-mail address links an existing account at the first launch


class LtiPlatform(db.Model):
    """A platform registered by an administrator: what the platform gave (issuer, client id,
    deployment ids, its OIDC authorization, token and JWKS URLs) and how its people find their
    account."""

    __tablename__ = "lti_platforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    issuer: Mapped[str] = mapped_column(sa.String(255))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    auth_login_url: Mapped[str] = mapped_column(sa.String(500))
    auth_token_url: Mapped[str] = mapped_column(sa.String(500))
    key_set_url: Mapped[str] = mapped_column(sa.String(500))
    auth_audience: Mapped[str | None] = mapped_column(sa.String(500))
    match_by: Mapped[MatchBy] = mapped_column(enum_type(MatchBy, "lti_match_by"), default=MatchBy.SUBJECT)
    create_accounts: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="LtiDeployment.deployment_id"
    )

    __table_args__ = (sa.UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_issuer_client"),)

    @property
    def deployment_ids(self) -> list[str]:
        return [each.deployment_id for each in self.deployments]


class LtiDeployment(db.Model):
    __tablename__ = "lti_deployments"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    deployment_id: Mapped[str] = mapped_column(sa.String(255))

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")

    __table_args__ = (sa.UniqueConstraint("platform_id", "deployment_id", name="uq_lti_deployments_one_id"),)


class LtiKey(db.Model):
    """A key pair of the tool (RSA): the newest active one signs; every active one is published in
    the tool's JWKS. In the database, so every host signs with the same key."""

    __tablename__ = "lti_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(sa.Text)
    public_pem: Mapped[str] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiState(db.Model):
    """Short-lived launch state written through pylti1p3's launch data storage: nonces (good once),
    state parameters and validated launches (deep linking answers them later, maybe on another
    host). Expired rows are ignored and purged."""

    __tablename__ = "lti_states"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LtiContext(db.Model):
    """A platform's course seen in a launch, with its Names and Roles service URL."""

    __tablename__ = "lti_contexts"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    context_id: Mapped[str] = mapped_column(sa.String(255))
    title: Mapped[str | None] = mapped_column(sa.String(255))
    memberships_url: Mapped[str | None] = mapped_column(sa.String(500))
    last_launch_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[LtiPlatform] = relationship()

    __table_args__ = (sa.UniqueConstraint("platform_id", "context_id", name="uq_lti_contexts_one_id"),)


# Who launched from a course as an instructor: they may compare its roster with their offerings.
lti_context_instructors = sa.Table(
    "lti_context_instructors",
    db.metadata,
    sa.Column("context_id", sa.ForeignKey("lti_contexts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)
