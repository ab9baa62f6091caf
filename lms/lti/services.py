"""LTI writes: platforms registered by administrators, the account of a launch (through the one
single sign-on function of accounts), the courses seen in launches. Flush, never commit."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from lms.accounts import sso_services
from lms.accounts.models import Role, User
from lms.accounts.sso import OIDCSettings
from lms.core.errors import Refusal
from lms.core.i18n import gettext as _
from lms.core.time import utcnow
from lms.extensions import db
from lms.lti.models import LtiContext, LtiDeployment, LtiPlatform, MatchBy, lti_context_instructors

ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
# LTI roles (context and institution) → lms roles. Administrators are never made by a launch.
ROLE_MAP: dict[str, frozenset[Role]] = {
    f"{LIS}membership#Learner": frozenset({Role.LEARNER}),
    f"{LIS}institution/person#Student": frozenset({Role.LEARNER}),
    f"{LIS}institution/person#Learner": frozenset({Role.LEARNER}),
    f"{LIS}membership#Instructor": frozenset({Role.TUTOR}),
    f"{LIS}institution/person#Instructor": frozenset({Role.TUTOR}),
    f"{LIS}institution/person#Faculty": frozenset({Role.TUTOR}),
}
INSTRUCTOR = f"{LIS}membership#Instructor"


class PlatformError(Refusal):
    status = 400


def _url(value: str, what: str) -> str:
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise PlatformError(_("%(what)s must be an http(s) URL.", what=what))
    return value


def add_platform(
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: list[str],
    auth_audience: str | None = None,
    match_by: MatchBy | str = MatchBy.SUBJECT,
    create_accounts: bool = False,
) -> LtiPlatform:
    """Register a platform (issuer and client id are unique together) with its deployments."""
    issuer, client_id = _url(issuer, "issuer").rstrip("/"), (client_id or "").strip()
    if not client_id:
        raise PlatformError(_("The client id is required."))
    ids = sorted({each.strip() for each in deployment_ids if each and each.strip()})
    if not ids:
        raise PlatformError(_("Give at least one deployment id."))
    taken = db.session.scalar(
        sa.select(LtiPlatform.id).where(LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id)
    )
    if taken:
        raise PlatformError(_("This platform (issuer and client id) is already registered."))
    platform = LtiPlatform(
        name=(name or issuer).strip()[:200],
        issuer=issuer,
        client_id=client_id,
        auth_login_url=_url(auth_login_url, "auth_login_url"),
        auth_token_url=_url(auth_token_url, "auth_token_url"),
        key_set_url=_url(key_set_url, "key_set_url"),
        auth_audience=(auth_audience or "").strip() or None,
        match_by=MatchBy(match_by),
        create_accounts=create_accounts,
    )
    platform.deployments = [LtiDeployment(deployment_id=each) for each in ids]
    db.session.add(platform)
    db.session.flush()
    return platform


def remove_platform(platform: LtiPlatform) -> None:
    db.session.delete(platform)
    db.session.flush()


def _settings(platform: LtiPlatform) -> OIDCSettings:
    return OIDCSettings(
        name=platform.name,
        issuer=platform.issuer,
        client_id=platform.client_id,
        create_accounts=platform.create_accounts,
        link_by_email=platform.match_by == MatchBy.EMAIL,
        role_claim="lti_roles",
        role_map=ROLE_MAP,
    )


def sign_in(platform: LtiPlatform, claims: dict[str, Any], locale: str = "fr") -> tuple[User, dict[str, Any]]:
    """The account of a verified launch: accounts' single sign-on function, the platform's issuer
    and subject as the identity; the e-mail links an existing account only when the platform is
    configured to match by e-mail (then it is trusted as verified)."""
    person = {
        "iss": platform.issuer,
        "sub": str(claims["sub"]),
        "email": claims.get("email"),
        "email_verified": platform.match_by == MatchBy.EMAIL,
        "name": claims.get("name"),
        "given_name": claims.get("given_name"),
        "family_name": claims.get("family_name"),
        "lti_roles": [each for each in claims.get(ROLES_CLAIM) or [] if isinstance(each, str)],
    }
    user, details = sso_services.sign_in(_settings(platform), person, locale=locale)
    details["method"] = "lti"
    return user, details


def record_context(platform: LtiPlatform, claims: dict[str, Any], user: User) -> LtiContext | None:
    """The course of the launch (its Names and Roles URL kept); an instructor is noted as one."""
    context = claims.get(CONTEXT_CLAIM) or {}
    if not isinstance(context, dict) or not context.get("id"):
        return None
    row = db.session.scalar(
        sa.select(LtiContext).where(LtiContext.platform_id == platform.id, LtiContext.context_id == str(context["id"]))
    )
    if row is None:
        row = LtiContext(platform=platform, context_id=str(context["id"]))
        db.session.add(row)
    row.title = str(context.get("title") or context.get("label") or "")[:255] or None
    nrps = claims.get(NRPS_CLAIM) or {}
    if isinstance(nrps, dict) and nrps.get("context_memberships_url"):
        row.memberships_url = str(nrps["context_memberships_url"])[:500]
    row.last_launch_at = utcnow()
    db.session.flush()
    if INSTRUCTOR in (claims.get(ROLES_CLAIM) or []):
        known = db.session.execute(
            sa.select(lti_context_instructors).where(
                lti_context_instructors.c.context_id == row.id, lti_context_instructors.c.user_id == user.id
            )
        ).first()
        if known is None:
            db.session.execute(sa.insert(lti_context_instructors).values(context_id=row.id, user_id=user.id))
    return row
