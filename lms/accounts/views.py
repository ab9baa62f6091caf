"""Login, logout, password change and language choice."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from lms.accounts import services
from lms.accounts.forms import LanguageForm, LoginForm, PasswordChangeForm
from lms.core.access import login_required, public
from lms.core.audit import record_event
from lms.core.models import AuditEvent
from lms.core.refusals import attempt
from lms.extensions import limiter

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative URL (open redirect)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        # Browsers read a backslash as a slash and drop tabs and newlines: both can make "//".
        and "\\" not in target
        and target.isprintable()
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("core.home")


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
        else:
            locale = session.get("locale")
            session.clear()  # a new session: nothing from before the login survives
            key = services.open_session(user, request.remote_addr, request.user_agent.string)
            user.session_key = key
            login_user(user)
            if locale:
                session["locale"] = locale
            record_event(AuditEvent.LOGIN, user_id=user.id)
            return redirect(safe_next(form.next.data))
    return render_template("accounts/login.html", form=form)


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
