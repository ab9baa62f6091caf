"""Catalogue area: programme, unit and import pages, the public catalogue, the director's panel, the ``catalog`` commands."""

from __future__ import annotations

from flask import Flask

from lms.accounts.models import Role
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import CATALOGUE, TEACHING_OFFER
from lms.plugins import hookimpl
from lms.plugins.contributions import DashboardPanel, NavItem


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.catalog import public_views
    from lms.catalog.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(public_views.bp)


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    items = []
    if user.has_role(Role.ADMIN, Role.DIRECTOR):
        items.append(NavItem(_l("Programmes"), "catalog.programmes", order=50, group=TEACHING_OFFER))
    else:  # candidates and learners browse the public catalogue
        items.append(NavItem(_l("Programmes"), "programmes.index", order=50, group=CATALOGUE))
    if user.has_role(Role.ADMIN):
        items.append(NavItem(_l("Units"), "catalog.units", order=51, group=TEACHING_OFFER))
        items.append(NavItem(_l("Import a catalogue"), "catalog.import_upload", order=52, group=TEACHING_OFFER))
    return items


@hookimpl
def lms_dashboard_panels(user) -> list[DashboardPanel]:
    if Role.DIRECTOR not in user.roles:
        return []
    from lms.catalog.queries import programme_lines

    return [
        DashboardPanel(
            _l("Programmes I direct"),
            "catalog/_panel_director.html",
            {"lines": programme_lines(director_id=user.id)},
            order=40,
        )
    ]


@hookimpl
def lms_cli(group) -> None:
    from lms.catalog.cli import catalog, programmes

    group.add_command(catalog)
    group.add_command(programmes)
