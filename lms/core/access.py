"""Deny-by-default access control.

Every view declares who may open it with one of :func:`public`, :func:`login_required` or
:func:`roles_required`. A view that declares nothing is refused to everyone (403), so a forgotten
decorator fails closed; ``tests/core/test_routes.py`` walks ``app.url_map`` to catch it early.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from lms.core.audit import record_event
from lms.core.i18n import lazy_gettext as _l
from lms.core.models import AuditEvent
from lms.core.problems import problem

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
AUTHENTICATED = "authenticated"
ACCESS_ATTR = "_lms_access"


def _mark(view: F, rule: object) -> F:
    setattr(view, ACCESS_ATTR, rule)
    return view


def public(view: F) -> F:
    """Anyone, logged in or not."""
    return _mark(view, PUBLIC)


def login_required(view: F) -> F:
    """Any logged-in user, whatever their roles."""
    return _mark(view, AUTHENTICATED)


def roles_required(*roles: Enum) -> Callable[[F], F]:
    """A logged-in user holding at least one of ``roles`` (``lms.accounts.models.Role`` members)."""
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        return _mark(view, allowed)

    return decorator


def access_rule(endpoint: str | None) -> object | None:
    if endpoint is None:
        return PUBLIC  # no route matched: let the 404/405 handler answer
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def enforce_access() -> Any:
    """``before_request``: apply the rule of the matched view."""
    rule = access_rule(request.endpoint)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if wants_json():
            answer = problem(
                401,
                str(_l("Log in, or send an API token (Authorization: Bearer).")),
                str(_l("Authentication required")),
            )
            answer.headers["WWW-Authenticate"] = "Bearer"
            return answer
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if rule == AUTHENTICATED:
        return None
    if isinstance(rule, frozenset) and current_user.has_role(*rule):
        return None
    record_event(
        AuditEvent.ACCESS_DENIED,
        user_id=current_user.id,
        details={"endpoint": request.endpoint, "undeclared": rule is None},
    )
    abort(403)


def deny_unless(condition: bool) -> None:
    """Object-level check inside a view: 403 (and an audit row) unless ``condition``."""
    if not condition:
        record_event(
            AuditEvent.ACCESS_DENIED,
            user_id=current_user.id if current_user.is_authenticated else None,
            details={"endpoint": request.endpoint, "object": True},
        )
        abort(403)
