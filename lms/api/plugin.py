"""API area."""

from __future__ import annotations

from flask import Flask

from lms.plugins import hookimpl


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.api.views import bp

    app.register_blueprint(bp)
