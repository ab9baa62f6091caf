"""Single sign-on pages: the login button's start, and the provider's answer (the callback)."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from lms.accounts import services, sso, sso_services
from lms.accounts.sso import SSOError
from lms.accounts.views import safe_next, start_session
from lms.core.access import public
from lms.core.audit import record_event
from lms.core.i18n import gettext as _
from lms.core.models import AuditEvent
from lms.core.security import local_path

bp = Blueprint("accounts_sso", __name__)
log = logging.getLogger(__name__)


def _configured() -> sso.OIDCSettings:
    conf = sso.settings()
    if conf is None:
        abort(404)
    return conf


def _redirect_uri() -> str:
    return url_for("accounts_sso.callback", _external=True)


@bp.route("/login/sso")
@public
def start():
    conf = _configured()
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    try:
        return redirect(sso.authorization_url(conf, _redirect_uri(), local_path(request.args.get("next"))))
    except SSOError as error:
        return _refused(conf, error)


@bp.route("/login/sso/callback")
@public
def callback():
    conf = _configured()
    try:
        claims, next_path = sso.complete(conf, _redirect_uri(), request.args)
        user, details = sso_services.sign_in(conf, claims, locale=_locale())
    except SSOError as error:
        return _refused(conf, error)
    if current_user.is_authenticated:  # someone else's session in this browser ends first
        services.close_session(current_user.session_key)
        logout_user()
    start_session(user, details)
    return redirect(safe_next(next_path))


def _locale() -> str:
    return session.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]


def _message(conf: sso.OIDCSettings, error: SSOError) -> str:
    if error.message is not None:
        return str(error)
    if error.reason == "state":
        return _("This login attempt has expired or has already been used. Start again from the login page.")
    if error.reason in ("unreachable", "discovery"):
        return _("%(name)s cannot be reached at the moment. Try again in a few minutes.", name=conf.name)
    if error.reason == "provider_error":
        return _("The login at %(name)s was cancelled or refused.", name=conf.name)
    return _(
        "The answer of %(name)s could not be verified, so you are not logged in. Try again; if it happens again, contact the help desk.",
        name=conf.name,
    )


def _refused(conf: sso.OIDCSettings, error: SSOError):
    log.warning("single sign-on refused (%s): %s", error.reason, error.detail or error)
    record_event(AuditEvent.LOGIN_FAILED, details={"method": "oidc", "reason": error.reason})
    page = render_template("accounts/sso_error.html", name=conf.name, message=_message(conf, error))
    return page, error.status
