"""API token writes and the bearer check. Services flush, never commit.

A token is ``lms_`` and 40 random URL-safe characters; only its SHA-256 is stored (like login
sessions' keys), so a stolen database gives no usable token. A token never grants more than its
user's roles: the scope only narrows them (``read``: GET only; ``write``: the writes of the user's
roles; ``admin``: also the administrators' operations, such as a catalogue import).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.accounts import services as accounts
from lms.accounts.models import Role, User
from lms.api.models import ApiToken, Scope, TokenKind
from lms.core.audit import record_event
from lms.core.errors import Refusal
from lms.core.i18n import gettext as _
from lms.core.models import AuditEvent
from lms.core.time import utcnow
from lms.extensions import db

SECRET_PREFIX = "lms_"
NAME_MAX = 100
MAX_LIFETIME_DAYS = 366 * 2
SERVICE_DOMAIN = "service.lms.invalid"  # service accounts' addresses: no mail can reach them
_SEEN_RESOLUTION = timedelta(minutes=1)


class TokenError(Refusal):
    status = 422


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Give the token a name."), "name")
    if len(name) > NAME_MAX:
        raise TokenError(_("The name is too long: at most %(n)d characters.", n=NAME_MAX), "name")
    return name


def _expiry(days: int | None, now: datetime) -> datetime | None:
    if days is None:
        return None
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise TokenError(
            _("A token lasts from 1 to %(n)d days.", n=MAX_LIFETIME_DAYS),
            "expires_in_days",
        )
    return now + timedelta(days=days)


def _make(kind: TokenKind, user: User, name: str, scope: Scope, days: int | None, actor: User | None):
    now = utcnow()
    secret = SECRET_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(
        kind=kind,
        name=name,
        user=user,
        scope=Scope(scope),
        secret_hash=secret_hash(secret),
        prefix=secret[:10],
        created_at=now,
        created_by_id=actor.id if actor else None,
        expires_at=_expiry(days, now),
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        AuditEvent.TOKEN_CREATED,
        user_id=actor.id if actor else None,
        details={"token": token.id, "name": name, "kind": kind.value, "scope": token.scope.value, "user": user.id},
    )
    return token, secret


def create_personal_token(user: User, name: str, scope: Scope, expires_in_days: int | None) -> tuple[ApiToken, str]:
    """A token acting as ``user``; returns it and its secret (shown once, never stored)."""
    if expires_in_days is None:
        raise TokenError(_("A personal token must expire."), "expires_in_days")
    name = _check_name(name)
    taken = db.session.scalar(
        sa.select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.name == name, ApiToken.revoked_at.is_(None))
    )
    if taken is not None:
        raise TokenError(_("You already have a token named %(name)s.", name=name), "name")
    return _make(TokenKind.PERSONAL, user, name, scope, expires_in_days, actor=user)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "service"


def create_service_token(
    name: str, scope: Scope, expires_in_days: int | None = None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """A token for a system: it acts as a service account of its own (an administrator without a
    password, who cannot log in), named after the token, so the audit log tells systems apart."""
    name = _check_name(name)
    if db.session.scalar(
        sa.select(ApiToken.id).where(
            ApiToken.kind == TokenKind.SERVICE, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    ):
        raise TokenError(_("A service token named %(name)s already exists.", name=name), "name")
    email = f"{_slug(name)}@{SERVICE_DOMAIN}"
    account = db.session.scalar(sa.select(User).where(User.email == email))
    if account is None:
        account = accounts.create_user(email, f"Service {name}", [Role.ADMIN], actor_id=actor.id if actor else None)
    return _make(TokenKind.SERVICE, account, name, scope, expires_in_days, actor=actor)


def revoke_token(token: ApiToken, actor: User | None) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    db.session.flush()
    record_event(
        AuditEvent.TOKEN_REVOKED,
        user_id=actor.id if actor else None,
        details={"token": token.id, "name": token.name, "kind": token.kind.value},
    )


def live_token(secret: str) -> ApiToken | None:
    """The live token of ``secret`` (not revoked, not expired, its user active), else None."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.secret_hash == secret_hash(secret)))
    now = utcnow()
    if token is None or not token.live(now) or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > _SEEN_RESOLUTION:
        token.last_used_at = now  # written at most once a minute per token
    return token
