"""Intakes area: registers its pages (and, later, its panels and commands)."""

from __future__ import annotations

from flask import Flask

from lms.plugins import hookimpl
from lms.plugins.contributions import NavItem


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.intakes.views import blueprints

    for blueprint in blueprints():
        app.register_blueprint(blueprint)


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    from lms.intakes.views import nav_items

    return nav_items(user)


@hookimpl
def lms_dashboard_panels(user) -> list:
    """A candidate (an account with no role yet) finds their applications on the home page."""
    if user.roles:
        return []
    from lms.core.i18n import lazy_gettext as _l
    from lms.intakes import labels, queries
    from lms.plugins.contributions import DashboardPanel

    applications = queries.applications_of(user)
    return [
        DashboardPanel(
            _l("My applications"),
            "intakes/_panel_applications.html",
            {"applications": applications, "status_label": labels.status_label},
            order=5,
        )
    ]
