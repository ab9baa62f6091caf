"""API area: the JSON API and its description, API tokens (account page, ``lms tokens``)."""

from __future__ import annotations

from flask import Flask

from lms.plugins import hookimpl


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.api import auth, docs, token_views
    from lms.api.views import bp

    auth.install(app)
    app.register_api(bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(token_views.bp)


@hookimpl
def lms_cli(group) -> None:
    from lms.api.cli import tokens

    group.add_command(tokens)
