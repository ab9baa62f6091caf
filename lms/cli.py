"""The ``lms`` console script: the Flask command group of the app (``lms db upgrade``,
``lms users create``, ``lms demo``, ``lms run``...)."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

from lms import create_app


def _create_cli_app() -> Flask:
    app = create_app()
    # The default SQLite database lives in instance/: make sure the folder exists (create_app does no I/O).
    from pathlib import Path

    Path(app.instance_path).mkdir(exist_ok=True)
    return app


def main() -> None:
    cli = FlaskGroup(create_app=_create_cli_app, help="lms: modular diplomas for working adults.")
    cli.main(prog_name="lms")
