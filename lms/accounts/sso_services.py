"""Accounts of single sign-on: the account of a verified identity (issuer and subject), linked or
created as configured, and its roles mapped from the provider's claims. Flush, never commit."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from lms.accounts import services
from lms.accounts.models import ExternalIdentity, Role, User
from lms.accounts.sso import OIDCSettings, SSOError
from lms.core.i18n import gettext as _
from lms.core.time import utcnow
from lms.extensions import db


def claim_values(claims: dict[str, Any], name: str | None) -> list[str]:
    """The values of claim ``name`` (a string, a list, or a dotted path into objects such as
    Keycloak's ``realm_access.roles``)."""
    if not name:
        return []
    value: Any = claims
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return []
    if isinstance(value, str | int):
        return [str(value)]
    if isinstance(value, list | tuple):
        return [str(each) for each in value if isinstance(each, str | int)]
    return []


def mapped_roles(conf: OIDCSettings, claims: dict[str, Any]) -> frozenset[Role]:
    roles: frozenset[Role] = frozenset()
    for value in claim_values(claims, conf.role_claim):
        roles |= conf.role_map.get(value, frozenset())
    return roles


def _email(claims: dict[str, Any]) -> tuple[str | None, bool]:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        return None, False
    verified = claims.get("email_verified")
    return services.normalise_email(email), verified is True or str(verified).lower() == "true"


def _name(claims: dict[str, Any], email: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(part for part in parts if isinstance(part, str) and part.strip())
    return (name or email.split("@")[0]).strip()[:200]


def sign_in(conf: OIDCSettings, claims: dict[str, Any], locale: str = "fr") -> tuple[User, dict[str, Any]]:
    """The account of the verified ``claims``, and what happened (for the audit log).

    Found by (issuer, subject); otherwise, when ``link_by_email``, the account with the provider's
    *verified* e-mail address is linked; otherwise, when ``create_accounts``, one is created.
    Mapped roles the account lacks are granted (roles are never taken away here)."""
    issuer, subject = claims["iss"], str(claims["sub"])
    email, verified = _email(claims)
    roles = mapped_roles(conf, claims)
    details: dict[str, Any] = {"method": "oidc", "issuer": issuer}
    identity = db.session.scalar(
        sa.select(ExternalIdentity).where(ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject)
    )
    if identity is not None:
        user = identity.user
    else:
        user = services.user_with_email(email) if email else None
        if user is not None and not (conf.link_by_email and verified):
            raise SSOError(
                "email_not_linked",
                _(
                    "An account with your e-mail address exists but is not linked to %(name)s. Log in with your password, or ask the registrar's office to link it.",
                    name=conf.name,
                ),
                status=403,
            )
        if user is None:
            if not conf.create_accounts:
                raise SSOError(
                    "no_account",
                    _(
                        "No account is linked to your %(name)s identity. Ask the registrar's office to create one.",
                        name=conf.name,
                    ),
                    status=403,
                )
            if email is None:
                raise SSOError(
                    "no_email",
                    _("%(name)s did not give your e-mail address: the account cannot be created.", name=conf.name),
                    status=403,
                )
            user = services.create_user(email, _name(claims, email), roles, locale=locale)
            details["created"] = True
        identity = ExternalIdentity(user=user, issuer=issuer, subject=subject, created_at=utcnow())
        db.session.add(identity)
        details["linked"] = True
    if not user.active:
        raise SSOError("inactive", _("This account is deactivated."), status=403)
    for role in sorted(roles - user.roles):
        services.grant_role(user, role)
    identity.email = email
    identity.last_login_at = utcnow()
    db.session.flush()
    return user, details
