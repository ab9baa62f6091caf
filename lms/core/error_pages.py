"""Friendly error pages (HTML, or RFC 9457 problem details under /api/); never a traceback.

A :class:`~lms.core.errors.Refusal` that reaches the top (views run services through
:func:`lms.core.refusals.attempt`, which shows most of them on the form) answers its own status
with its message.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.core.access import wants_json
from lms.core.audit import record_event
from lms.core.errors import Refusal
from lms.core.i18n import lazy_gettext as _l
from lms.core.models import AuditEvent
from lms.core.problems import problem
from lms.extensions import db

log = logging.getLogger(__name__)


MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you sent.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("This page does not exist or has moved.")),
    405: (_l("Method not allowed"), _l("This page cannot be used this way.")),
    409: (_l("Conflict"), _l("Someone else changed this data at the same time. Nothing was overwritten.")),
    413: (_l("File too large"), _l("The file you sent is larger than allowed.")),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Please wait a minute before trying again."),
    ),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. It has been logged; please try again.")),
}


FALLBACK_PAGE = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Erreur {code}</title></head>'
    "<body><main><h1>Erreur {code}</h1><p>Une erreur est survenue. / An error occurred.</p>"
    '<p><a href="/">Accueil / Home</a></p></main></body></html>'
)


def render_error(code: int, detail: str | None = None, **extra):
    # The request's work is rolled back anyway (an error is never committed); rolling back first
    # also lets the page read the database again after a failed statement.
    try:
        db.session.rollback()
    except Exception:  # a lost connection: the page below needs no database
        log.exception("could not roll back before the error page")
    title, message = MESSAGES.get(code, (str(code), ""))
    if wants_json():
        title = title if code in MESSAGES else HTTP_STATUS_TITLES.get(code, title)
        return problem(code, detail or str(message), title=str(title), **extra)
    try:
        page = render_template("errors/error.html", code=code, title=title, message=message, detail=detail)
    except Exception:  # the error page itself failed: still no traceback for the user
        log.exception("error page %s could not be rendered", code)
        page = FALLBACK_PAGE.format(code=code)
    return page, code


HTTP_STATUS_TITLES = {
    401: _l("Authentication required"),
    406: _l("Not acceptable"),
    412: _l("Precondition failed"),
    415: _l("Unsupported media type"),
    422: _l("Invalid data"),
    428: _l("Precondition required"),
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400, str(_l("The form has expired or was not sent by this site. Reload the page and try again."))
        )

    @app.errorhandler(Refusal)
    def refused(refusal: Refusal):
        if refusal.status == 403:  # like deny_unless: a refused access leaves a trace
            record_event(
                AuditEvent.ACCESS_DENIED,
                user_id=current_user.id if current_user.is_authenticated else None,
                details={"endpoint": request.endpoint, "object": True, "refusal": type(refusal).__name__},
            )
        extra = {}
        if refusal.field and str(refusal):  # under /api/: the field at fault, as invalid parameters are
            extra["errors"] = [{"field": refusal.field, "message": str(refusal)}]
        return render_error(refusal.status, str(refusal) or None, **extra)

    @app.errorhandler(429)
    def too_many(error: HTTPException):
        if wants_json():  # an API token over its rate: not a login attempt
            return render_error(429)
        record_event(
            AuditEvent.LOGIN_THROTTLED,
            user_id=current_user.id if current_user.is_authenticated else None,
            details={"limit": str(error.description)},
        )
        return render_error(429)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code >= 500:
            return render_error(500)
        if error.code in MESSAGES:
            return render_error(error.code)
        if wants_json():
            detail = error.description if error.description != type(error).description else None
            title = HTTP_STATUS_TITLES.get(error.code, error.name)
            return problem(error.code, detail and str(detail), title=str(title))
        return error

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error", exc_info=error)
        return render_error(500)

    app.register_error_handler(InternalServerError, lambda error: render_error(500))
