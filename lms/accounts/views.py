"""Login, logout, password change, forgotten password (one-time links) and language choice."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from lms.accounts import services, sso
from lms.accounts.forms import ForgotPasswordForm, LanguageForm, LoginForm, PasswordChangeForm, PasswordResetForm
from lms.core.access import login_required, public
from lms.core.audit import record_event
from lms.core.i18n import gettext as _
from lms.core.models import AuditEvent
from lms.core.refusals import attempt
from lms.core.security import local_path
from lms.extensions import limiter

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative URL (open redirect)."""
    return local_path(target) or url_for("core.home")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            record_event(AuditEvent.LOGIN_FAILED, details={"email": services.normalise_email(form.email.data)})
            form.password.errors.append(_("Wrong e-mail address or password."))
        elif sso.local_login_disabled(user):
            record_event(AuditEvent.LOGIN_FAILED, user_id=user.id, details={"reason": "local_login_disabled"})
            form.password.errors.append(
                _("Your account logs in through %(name)s only: use the button below.", name=sso.settings().name)
            )
        else:
            start_session(user)
            return redirect(safe_next(form.next.data))
    conf = sso.settings()
    return render_template("accounts/login.html", form=form, sso_name=conf.name if conf else None)


def start_session(user, details: dict | None = None) -> None:
    """Log ``user`` in on a new session: nothing from before survives but the language choice.
    Password and single sign-on logins alike; ``details`` go to the audit log."""
    locale = session.get("locale")
    session.clear()
    key = services.open_session(user, request.remote_addr, request.user_agent.string)
    user.session_key = key
    login_user(user)
    if locale:
        session["locale"] = locale
    record_event(AuditEvent.LOGIN, user_id=user.id, details=details)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    if current_user.is_authenticated:
        record_event(AuditEvent.LOGOUT, user_id=current_user.id)
        services.close_session(current_user.session_key)
        logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        with attempt(form, field="new_password") as outcome:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data, current_user.session_key
            )
        if not outcome.refused:
            flash(_("Your password has been changed. Your other sessions have been closed."), "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/password.html", form=form)


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
    return redirect(safe_next(form.next.data or request.referrer and urlsplit(request.referrer).path))


def _link_limit() -> str:
    return current_app.config["PASSWORD_LINK_RATE_LIMIT"]


@bp.route("/password/forgotten", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_link_limit, methods=["POST"], key_func=_account_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/link_sent.html"), 200
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    if not services.link_is_valid(token):
        return _without_referrer(render_template("accounts/link_invalid.html"), 404)
    form = PasswordResetForm()
    if form.validate_on_submit():
        with attempt(form, field="new_password") as outcome:
            user = services.set_password_from_link(token, form.new_password.data)
        if not outcome.refused:
            if current_user.is_authenticated:  # someone else's session in this browser ends first
                services.close_session(current_user.session_key)
                logout_user()
            start_session(user)
            flash(_("Your password has been set. You are logged in; any other session has been closed."), "success")
            return redirect(url_for("core.home"))
    return _without_referrer(render_template("accounts/reset.html", form=form), 422 if form.errors else 200)


def _without_referrer(page: str, status: int):
    """The token is in this page's URL: links followed from it must not carry it away."""
    response = make_response(page, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
