"""The ``lms`` console script: the Flask command group of the app (``lms db upgrade``,
``lms users create``, ``lms demo``, ``lms run``...).

The file-only commands (``lms audit --catalog ... --transcript ...``, ``lms rank``, ``lms plan``) read files
and print JSON: they run without building the web app (``create_app`` alone costs more than a whole
audit), importing only click and the pure audit. ``lms audit --learner`` reads the database and
goes through the app's group like every other command.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

FILE_COMMANDS = ("audit", "rank", "plan")


def file_only(args: list[str]) -> bool:
    """Whether ``args`` (after ``lms``) name a command that reads files only."""
    if not args or args[0] not in FILE_COMMANDS:
        return False
    return not any(arg == "--learner" or arg.startswith("--learner=") for arg in args[1:])


def console_script() -> bool:
    """Whether this process is the ``lms`` script itself (not a caller of :func:`main`)."""
    return os.path.basename(getattr(sys.modules["__main__"], "__file__", None) or "") == "lms"


def quick_exit(code: int) -> NoReturn:
    """End a file-only command at once: its output flushed, without tearing down every object
    (the cached catalogue's tens of thousands) one by one; nothing else is left to do."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: as Python itself would end
        code = code or 1
    os._exit(code)


def main() -> None:
    args = sys.argv[1:]
    if file_only(args):
        # A short process reading files: no cyclic garbage worth collecting, and the collector's
        # passes while unpickling the cached catalogue cost as much as the unpickling itself.
        gc.disable()
        if args[0] == "plan":
            from lms.progress.plan_command import plan_command as command
        else:
            from lms.progress.cli import audit_command, rank_command

            command = audit_command if args[0] == "audit" else rank_command
        try:
            command.main(args[1:], prog_name=f"lms {args[0]}")
        except SystemExit as stop:
            if console_script() and (stop.code is None or isinstance(stop.code, int)):
                quick_exit(stop.code or 0)
            raise
        return

    from flask.cli import FlaskGroup

    from lms.app import create_app, ensure_instance_folder

    cli = FlaskGroup(
        create_app=lambda: ensure_instance_folder(create_app()),
        help="lms: modular diplomas for working adults.",
    )
    cli.main(prog_name="lms")
