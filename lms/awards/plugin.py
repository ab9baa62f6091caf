"""Awards area: registers its pages and menu entries, and renders certificates by default."""

from __future__ import annotations

from flask import Flask

from lms.plugins import hookimpl
from lms.plugins.contributions import NavItem


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.awards.views import blueprints

    for blueprint in blueprints():
        app.register_blueprint(blueprint)


@hookimpl
def lms_tasks() -> list:
    from lms.awards.tasks import build_session_zip

    return [build_session_zip]


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    from lms.awards.views import nav_items

    return nav_items(user)


@hookimpl(trylast=True)
def lms_certificate_renderer(award) -> bytes | None:
    """The default certificate layout (``templates/awards/certificate_pdf.html``); a plugin that
    answers first replaces it."""
    from lms.awards.certificates import default_renderer

    return default_renderer(award)
