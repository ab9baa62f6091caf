"""Demo data, registered like an area: the ``lms demo`` command."""

from __future__ import annotations

from lms.plugins import hookimpl


@hookimpl
def lms_cli(group) -> None:
    from lms.demo.cli import demo_command

    group.add_command(demo_command)
