"""LTI area: lms as an LTI 1.3 tool (launches from Moodle), its platforms' admin page and the
``lms lti`` commands."""

from __future__ import annotations

from flask import Flask

from lms.accounts.models import Role
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import ADMINISTRATION
from lms.plugins import hookimpl
from lms.plugins.contributions import NavItem


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.lti import tool
    from lms.lti.views import admin_bp, bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    tool.install(app)


@hookimpl
def lms_cli(group) -> None:
    from lms.lti.cli import lti

    group.add_command(lti)


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    items = []
    if user.has_role(Role.ADMIN):
        items.append(NavItem(_l("LTI platforms"), "lti_admin.platforms", order=895, group=ADMINISTRATION))
    return items
