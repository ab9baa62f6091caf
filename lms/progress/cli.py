"""``lms audit`` and ``lms rank``: the audit engine on the command line (formats.md section 3).

From files (no database access at all, even when the database does not exist)::

    lms audit --catalog lms/catalog/data --transcript me.yaml --program MR12202A [--version V] [--as-of D]
    lms rank  --catalog units.yaml programs.yaml --transcript me.json [--as-of D]

From the database::

    lms audit --learner 100000W --program LG02501A [--version V] [--as-of D]

``--catalog`` takes a file or a folder of ``*.yaml``; give it several times, or list several paths
after one ``--catalog`` (the paths run up to the next option).

Bad input exits with status 2 and one line per problem on stderr. Problems in a file read
``FILE:LINE: what is wrong``. A ``--program``/``--version`` the catalogue files lack is reported
against them as a whole (line 0, the catalogue paths as given):
``lms/catalog/data:0: --program: unknown programme XYZ (known: ...)``. With ``--learner`` there is
no file: such problems read ``lms audit: --learner: unknown learner number 999``. Misused options
(a missing ``--program``, ``--learner`` mixed with ``--transcript``...) are click's usage errors,
status 2 as well.

This module imports neither Flask nor the database layer: the console script (:mod:`lms.cli`)
runs the file-only commands without building the web app; only ``--learner`` and ``lms progress``
build it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NoReturn

import click

from lms.progress.audit.catalogue_cache import CatalogueCache
from lms.progress.audit.definitions import Catalog, ProgramDef
from lms.progress.audit.documents import FormatError
from lms.progress.audit.records import LearnerRecord
from lms.progress.audit.transcripts import read_transcript

KNOWN_SHOWN = 30  # programme codes listed in an "unknown programme" message


class CatalogPathsCommand(click.Command):
    """A command whose ``--catalog`` option takes one or more paths after a single flag.

    Click options take a fixed number of values, so the arguments are rewritten before parsing:
    ``--catalog a.yaml b.yaml --program X`` becomes ``--catalog a.yaml --catalog b.yaml --program X``.
    The first value after ``--catalog`` is taken whatever it looks like (as click would); the
    following ones up to the next word starting with ``-`` (or ``--``) are more paths.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread_catalog_paths(args))


def spread_catalog_paths(args: Sequence[str]) -> list[str]:
    out: list[str] = []
    taking = False  # inside the paths of a --catalog
    expecting_value = False  # right after a bare --catalog
    for index, arg in enumerate(args):
        if expecting_value:
            out.append(arg)
            expecting_value, taking = False, True
            continue
        if arg == "--":
            out.extend(args[index:])
            break
        if taking and not arg.startswith("-"):
            out += ["--catalog", arg]
            continue
        taking = False
        out.append(arg)
        if arg == "--catalog":
            expecting_value = True
        elif arg.startswith("--catalog="):
            taking = True
    return out


# --- shared pieces -------------------------------------------------------------------------------


def fail(problems: Iterable[str]) -> NoReturn:
    for problem in problems:
        click.echo(problem, err=True)
    raise SystemExit(2)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def _known(codes: Iterable[str]) -> str:
    codes = sorted(set(codes))
    shown = ", ".join(codes[:KNOWN_SHOWN])
    if len(codes) > KNOWN_SHOWN:
        shown += f", ... ({len(codes) - KNOWN_SHOWN} more)"
    return shown or "none"


def choose_program(
    programs: dict[tuple[str, str], ProgramDef], code: str, version: str | None, default_version: str | None = None
) -> tuple[ProgramDef | None, str | None]:
    """The programme version to audit, or None and what is wrong (without location).

    Without ``version``: ``default_version`` if given (the learner's enrolment), else the newest
    version by string order.
    """
    versions = sorted(v for c, v in programs if c == code)
    if not versions:
        return None, f"--program: unknown programme {code} (known: {_known(c for c, _ in programs)})"
    chosen = version or default_version or versions[-1]
    if chosen not in versions:
        return None, f"--version: programme {code} has no version {chosen} (known: {', '.join(versions)})"
    return programs[(code, chosen)], None


def _as_date(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def read_inputs(
    catalog_paths: Sequence[str], transcript: str, cache: CatalogueCache | None = None
) -> tuple[Catalog, LearnerRecord]:
    """Both files read and checked, every problem of both reported at once."""
    problems: list[str] = []
    catalog = record = None
    try:
        catalog = (cache or CatalogueCache(catalog_paths)).read()
    except FormatError as error:  # CatalogError
        problems += error.problems
    try:
        record = read_transcript(transcript)
    except FormatError as error:  # TranscriptError
        problems += error.problems
    if problems:
        fail(problems)
    assert catalog is not None and record is not None
    return catalog, record


def catalog_option(required: bool):
    return click.option(
        "--catalog",
        "catalog_paths",
        multiple=True,
        required=required,
        metavar="PATH...",
        help="Catalogue file, or folder of *.yaml files. Repeat the option or list several paths after it.",
    )


transcript_option = click.option(
    "--transcript", metavar="FILE", help="Learner record, YAML or JSON (formats.md section 2)."
)
as_of_option = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="DATE",
    help="Audit date (YYYY-MM-DD); default: the transcript's as_of, else today.",
)


# --- lms audit -----------------------------------------------------------------------------------


@click.command("audit", cls=CatalogPathsCommand)
@catalog_option(required=False)
@transcript_option
@click.option("--learner", metavar="NUMBER", help="Audit this learner from the database instead of files.")
@click.option("--program", required=True, metavar="CODE", help="Programme code, e.g. MR12202A.")
@click.option(
    "--version",
    metavar="V",
    help="Programme version; default: the newest (files), the learner's enrolled version else the newest (--learner).",
)
@as_of_option
def audit_command(
    catalog_paths: tuple[str, ...],
    transcript: str | None,
    learner: str | None,
    program: str,
    version: str | None,
    as_of: datetime | None,
) -> None:
    """Audit a learner's progress toward one programme and print the JSON result.

    Either from files: --catalog PATH... --transcript FILE (no database needed), or from the
    database: --learner NUMBER. Exits 0 whatever the audit's status; 2 on bad input, with one
    FILE:LINE: problem line per problem on stderr.
    """
    from lms.progress.audit import engine

    if learner is not None:
        if catalog_paths or transcript:
            raise click.UsageError("give either --learner, or --catalog and --transcript, not both")
        with _web_app().app_context():  # only --learner builds the app: reading files needs none of it
            print_json(_audit_from_database(learner, program, version, _as_date(as_of)))
        return
    if not catalog_paths or not transcript:
        raise click.UsageError("give --catalog and --transcript (or --learner to audit from the database)")

    catalog, record = read_inputs(catalog_paths, transcript)
    chosen, problem = choose_program(catalog.programs, program, version)
    if chosen is None:
        fail([f"{', '.join(catalog_paths)}:0: {problem}"])
    print_json(engine.audit(chosen, catalog.units, catalog.equivalences, record, _as_date(as_of)))


def _web_app():
    """The app of the ``lms`` group (``lms audit --learner`` comes through it), else a new one."""
    from flask import current_app, has_app_context
    from flask.cli import ScriptInfo

    if has_app_context():
        return current_app._get_current_object()
    info = click.get_current_context().find_object(ScriptInfo)
    if info is not None:
        return info.load_app()
    from lms.app import create_app, ensure_instance_folder

    return ensure_instance_folder(create_app())


def _audit_from_database(number: str, program: str, version: str | None, as_of: date | None) -> dict[str, Any]:
    import sqlalchemy as sa

    from lms.accounts.queries import learner_by_number
    from lms.extensions import db
    from lms.progress import queries, records
    from lms.progress.audit import engine

    try:
        learner = learner_by_number(number)
        if learner is None:
            fail([f"lms audit: --learner: unknown learner number {number}"])
        catalog = queries.catalogue_from_database()
        enrolled = queries.enrolled_version(learner, program) if version is None else None
        chosen, problem = choose_program(catalog.programs, program, version, enrolled)
        if chosen is None:
            fail([f"lms audit: {problem}"])
        record = records.learner_record(learner, today=as_of)
    except sa.exc.SQLAlchemyError as error:
        message = str(getattr(error, "orig", None) or error).splitlines()[0]
        click.echo(f"lms audit: cannot read the database: {message}", err=True)
        raise SystemExit(1) from None
    finally:
        db.session.remove()
    return engine.audit(chosen, catalog.units, catalog.equivalences, record, as_of)


# --- lms rank ------------------------------------------------------------------------------------


@click.command("rank", cls=CatalogPathsCommand)
@catalog_option(required=True)
@click.option(
    "--transcript", required=True, metavar="FILE", help="Learner record, YAML or JSON (formats.md section 2)."
)
@as_of_option
def rank_command(catalog_paths: tuple[str, ...], transcript: str, as_of: datetime | None) -> None:
    """Rank every programme of the catalogue (newest version of each) by what the learner lacks.

    Prints a JSON list sorted by missing_ects, then programme code. Reads files only: no
    database needed. Exits 2 on bad input, with one FILE:LINE: problem line per problem on stderr.
    """
    from lms.progress.audit.ranking import BlankRows, rank_rows

    cache = CatalogueCache(catalog_paths)
    catalog, record = read_inputs(catalog_paths, transcript, cache)
    day = _as_date(as_of) or record.as_of or date.today()
    kept = cache.sidecar(f"blanks-{day.isoformat()}")  # the blank audits of this catalogue on that day
    blanks = BlankRows(cache.load_sidecar(kept))
    print_json(rank_rows(catalog.programs.values(), catalog.units, catalog.equivalences, record, day, blanks))
    if blanks.changed:
        cache.store_sidecar(kept, blanks.known)


@click.group("progress", help="Stored audits (progress snapshots).")
def progress_group() -> None:
    pass


@progress_group.command("refresh")
@click.option("--learner", "number", metavar="NUMBER", help="Only this learner (default: every enrolled learner).")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Audit date (default: today).")
def refresh_command(number: str | None, as_of: datetime | None) -> None:
    """Re-audit learners and store the results, e.g. after a catalogue import."""
    with _web_app().app_context():
        _refresh(number, as_of)


def _refresh(number: str | None, as_of: datetime | None) -> None:
    from lms.accounts.queries import learner_by_number
    from lms.extensions import db
    from lms.progress.services import enrolled_learner_ids, refresh_in_batches

    day = _as_date(as_of)
    if number:
        learner = learner_by_number(number)
        if learner is None:
            fail([f"lms progress refresh: --learner: unknown learner number {number}"])
        count = refresh_in_batches([learner.id], day)
        db.session.commit()
        click.echo(f"{count} enrolments audited.")
        return
    ids = enrolled_learner_ids()
    # One transaction a batch, as the queue's re-audit: memory stays flat and an interruption
    # keeps what was done (running the command again redoes it all, harmlessly).
    with click.progressbar(length=len(ids), label="Re-auditing", file=sys.stderr) as bar:

        def committed(chunk: list[int]) -> None:
            db.session.commit()
            bar.update(len(chunk))

        count = refresh_in_batches(ids, day, bulk=True, after_batch=committed)
    click.echo(f"{count} enrolments audited.")
