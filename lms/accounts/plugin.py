"""Accounts area: login and password pages, administrators' account pages, the user loader and the
``users`` commands."""

from __future__ import annotations

from flask import Flask

from lms.accounts.models import Role
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import ACCOUNT, ADMINISTRATION
from lms.plugins import hookimpl
from lms.plugins.contributions import NavItem


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.accounts import admin_views, services, sso, sso_views
    from lms.accounts.forms import LanguageForm, LogoutForm
    from lms.accounts.views import bp
    from lms.extensions import login_manager

    app.register_blueprint(bp)
    app.register_blueprint(admin_views.bp)
    sso.configure(app)  # single sign-on's settings, checked at start (no I/O)
    app.register_blueprint(sso_views.bp)
    # The language switch and the logout button of every page (templates/base.html).
    app.jinja_env.globals.update(language_form=LanguageForm, logout_form=LogoutForm)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.user_loader(services.load_session_user)


@hookimpl
def lms_cli(group) -> None:
    from lms.accounts.cli import users

    group.add_command(users)


@hookimpl
def lms_tasks() -> list:
    from lms.accounts.tasks import purge_expired_sessions

    return [purge_expired_sessions]


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    items = [NavItem(_l("My account"), "accounts.change_password", order=900, group=ACCOUNT)]
    if user.has_role(Role.ADMIN):
        items.append(NavItem(_l("Accounts"), "accounts_admin.index", order=890, group=ADMINISTRATION))
    return items
