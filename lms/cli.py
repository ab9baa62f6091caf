"""The ``lms`` console script: the Flask command group of the app (``lms db upgrade``,
``lms users create``, ``lms demo``, ``lms run``...)."""

from __future__ import annotations

from flask.cli import FlaskGroup

from lms.app import create_app, ensure_instance_folder


def main() -> None:
    cli = FlaskGroup(
        create_app=lambda: ensure_instance_folder(create_app()),
        help="lms: modular diplomas for working adults.",
    )
    cli.main(prog_name="lms")
