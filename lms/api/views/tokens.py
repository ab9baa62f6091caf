"""``/api/v1/tokens``: the caller's own personal tokens (list, revoke), and every service token
for administrators (with the ``admin`` scope)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from flask_openapi3 import Tag

from lms.accounts.models import Role
from lms.api import services
from lms.api.auth import requires_scope
from lms.api.models import ApiToken, Scope, TokenKind
from lms.api.schemas.account import TokenList, TokenOut, TokenPath
from lms.api.schemas.common import Problem
from lms.api.views import bp
from lms.core.access import login_required, roles_required
from lms.extensions import db

TAG = Tag(name="account", description="The caller's account and API tokens.")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def token_out(token: ApiToken) -> dict:
    return TokenOut(
        id=token.id,
        kind=token.kind.value,
        name=token.name,
        prefix=token.prefix,
        scope=token.scope.value,
        created_at=token.created_at.isoformat(),
        expires_at=_iso(token.expires_at),
        last_used_at=_iso(token.last_used_at),
        revoked_at=_iso(token.revoked_at),
        user=token.user.email,
    ).model_dump()


@bp.get("/tokens", tags=[TAG], responses={200: TokenList}, summary="The caller's personal tokens")
@login_required
def own_tokens():
    rows = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.kind == TokenKind.PERSONAL)
        .order_by(ApiToken.id)
    )
    return {"items": [token_out(token) for token in rows]}


@bp.delete(
    "/tokens/<int:token_id>",
    tags=[TAG],
    responses={204: None, 404: Problem},
    summary="Revoke one of the caller's personal tokens",
)
@login_required
def revoke_own_token(path: TokenPath):
    token = db.session.get(ApiToken, path.token_id)
    if token is None or token.user_id != current_user.id or token.kind != TokenKind.PERSONAL:
        abort(404)
    services.revoke_token(token, current_user)
    return "", 204


@bp.get(
    "/service-tokens",
    tags=[TAG],
    responses={200: TokenList},
    summary="Every service token (administrators, admin scope)",
)
@roles_required(Role.ADMIN)
@requires_scope(Scope.ADMIN)
def service_tokens():
    rows = db.session.scalars(sa.select(ApiToken).where(ApiToken.kind == TokenKind.SERVICE).order_by(ApiToken.id))
    return {"items": [token_out(token) for token in rows]}
