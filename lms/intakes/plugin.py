"""Intakes area: registers its pages (and, later, its panels and commands)."""

from __future__ import annotations

from flask import Flask

from lms.core.navigation import NavItem
from lms.plugins import hookimpl


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.intakes.views import blueprints

    for blueprint in blueprints():
        app.register_blueprint(blueprint)


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    from lms.intakes.views import nav_items

    return nav_items(user)
