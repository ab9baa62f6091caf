"""Timetable area: its pages (one blueprint per audience), navigation and the tutor's home panel."""

from __future__ import annotations

from flask import Flask

from lms.accounts.models import Role
from lms.core.i18n import lazy_gettext as _l
from lms.core.time import academic_year, utcnow
from lms.plugins import hookimpl
from lms.plugins.contributions import DashboardPanel, NavItem


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.timetable.views import blueprints

    for blueprint in blueprints():
        app.register_blueprint(blueprint)


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    from lms.timetable.views import nav_items

    return nav_items(user)


@hookimpl
def lms_dashboard_panels(user) -> list[DashboardPanel]:
    if Role.TUTOR not in user.roles:
        return []
    from lms.timetable.queries import tutor_offerings

    current = academic_year(utcnow().date())
    return [
        DashboardPanel(
            _l("My offerings"),
            "timetable/_panel_tutor.html",
            {"offerings": tutor_offerings(user.id, from_year=current - 1), "current_year": current},
            order=30,
        )
    ]
