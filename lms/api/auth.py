"""How API requests are authenticated and limited.

- ``Authorization: Bearer <token>`` on an /api/ path signs the request in as the token's user
  (Flask-Login's request loader); a cookie session works too, as on the pages.
- A token's scope narrows what its user's roles allow: reads need ``read``, writes ``write``, the
  operations a view marks with :func:`requires_scope` (``admin``) more.
- CSRF applies to cookie sessions' writes, not to token requests (a browser never adds a bearer
  token by itself, so a forged cross-site request cannot carry one).
- Token requests are rate limited per token; every write made with a token is in the audit log
  with the token's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_login import current_user

from lms.api.models import ApiToken, Scope
from lms.core.audit import record_event
from lms.core.i18n import gettext as _
from lms.core.models import AuditEvent
from lms.core.problems import problem

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SCOPE_ATTR = "_lms_api_scope"


def requires_scope(scope: Scope) -> Callable[[F], F]:
    """Mark a view as needing more than its method's scope (``admin`` for administrators' work)."""

    def decorator(view: F) -> F:
        setattr(view, SCOPE_ATTR, scope)
        return view

    return decorator


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _space, secret = header.partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def load_token_user(_request) -> Any:
    """Flask-Login's request loader: the user of a live bearer token on an /api/ path."""
    if not request.path.startswith("/api/"):
        return None
    secret = bearer_secret()
    if secret is None:
        return None
    from lms.api.services import live_token

    token = live_token(secret)
    if token is None:
        return None
    g.api_token = token
    return token.user


def request_token() -> ApiToken | None:
    """The token this request is signed in with, if any (loading the user first)."""
    if "api_token" not in g:
        _ = current_user.is_authenticated  # runs the loaders
    return g.get("api_token")


def needed_scope() -> Scope:
    view = current_app.view_functions.get(request.endpoint or "")
    declared = getattr(view, SCOPE_ATTR, None)
    if declared is not None:
        return declared
    return Scope.READ if request.method in SAFE_METHODS else Scope.WRITE


def check_request() -> Any:
    """The API blueprint's ``before_request``: the token's scope, or CSRF for a cookie session."""
    token = request_token()
    if token is None:
        if request.method not in SAFE_METHODS and current_user.is_authenticated:
            from lms.extensions import csrf

            csrf.protect()
        if bearer_secret() is not None and not current_user.is_authenticated:
            answer = problem(401, _("This token is unknown, revoked or expired."), _("Authentication required"))
            answer.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return answer
        return None
    needed = needed_scope()
    if not token.allows(needed):
        record_event(
            AuditEvent.ACCESS_DENIED,
            user_id=token.user_id,
            details={"endpoint": request.endpoint, "token": token.name, "scope": token.scope.value},
        )
        return problem(
            403,
            _(
                "This token's scope (%(scope)s) does not allow this operation: it needs %(needed)s.",
                scope=token.scope.value,
                needed=needed.value,
            ),
            _("Access denied"),
        )
    return None


def audit_write(response):
    """The API blueprint's ``after_request``: a token's write, done or refused, is logged."""
    token = g.get("api_token")
    if token is not None and request.method not in SAFE_METHODS:
        record_event(
            AuditEvent.API_WRITE,
            user_id=token.user_id,
            details={
                "token": token.name,
                "token_id": token.id,
                "method": request.method,
                "endpoint": request.endpoint,
                "status": response.status_code,
            },
        )
    return response


def token_rate_key() -> str:
    token = request_token()
    return f"api-token:{token.id}" if token else "api-anonymous"


def not_a_token_request() -> bool:
    return request_token() is None


def token_rate_limit() -> str:
    return current_app.config["API_TOKEN_RATE_LIMIT"]


def protect(blueprint) -> None:
    """Put an API blueprint under these rules (once, where it is defined)."""
    from lms.extensions import csrf, limiter

    csrf.exempt(blueprint)  # checked by check_request for cookie sessions only
    limiter.limit(token_rate_limit, key_func=token_rate_key, exempt_when=not_a_token_request)(blueprint)
    blueprint.before_request(check_request)
    blueprint.after_request(audit_write)


def install(app: Flask) -> None:
    """Bearer tokens sign requests in (Flask-Login's request loader)."""
    from lms.extensions import login_manager

    login_manager.request_loader(load_token_user)
