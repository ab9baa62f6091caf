"""``lms plan``: the earliest study plan from catalogue files and a learner record (formats.md
section 7). Files only, like ``lms audit --catalog``: no Flask, no database (:mod:`lms.cli` runs it
without building the web app)::

    lms plan --catalog lms/catalog/paris lms/catalog/paris/programs --transcript me.yaml \\
        --program MR12202A --from 2026-S2 --pace-units 2 [--modality foad]... [--centre PAR]...

Bad input exits with status 2: problems in the files as ``FILE:LINE: what is wrong``, an unknown
``--program``/``--version`` against the catalogue paths (line 0), misused options as click's
usage errors. A plan found, or none (``"status": "impossible"``), exits 0.
"""

from __future__ import annotations

from fractions import Fraction

import click

from lms.progress.audit.definitions import MODALITIES
from lms.progress.cli import CatalogPathsCommand, catalog_option, choose_program, fail, print_json, read_inputs


def _term(ctx: click.Context, param: click.Parameter, value: str | None):
    from lms.progress.audit.planner.files import parse_term

    if value is None:
        return None
    term = parse_term(value)
    if term is None:
        raise click.BadParameter(f"{value!r} is not a term such as 2026-S1 or 2026-S2")
    return term


@click.command("plan", cls=CatalogPathsCommand)
@catalog_option(required=True)
@click.option(
    "--transcript", required=True, metavar="FILE", help="Learner record, YAML or JSON (formats.md section 2)."
)
@click.option("--program", required=True, metavar="CODE", help="Programme code, e.g. MR12202A.")
@click.option("--version", metavar="V", help="Programme version; default: the newest.")
@click.option(
    "--from",
    "start",
    required=True,
    metavar="YEAR-SEM",
    callback=_term,
    help="First term of the plan: 2026-S1, 2026-S2.",
)
@click.option("--pace-units", type=click.IntRange(min=1), metavar="N", help="At most N units a term.")
@click.option("--pace-ects", type=click.FloatRange(min=0, min_open=True), metavar="X", help="At most X ECTS a term.")
@click.option(
    "--modality",
    "modalities",
    multiple=True,
    type=click.Choice(MODALITIES),
    help="Accepted modality (repeat; default: any).",
)
@click.option("--centre", "centres", multiple=True, metavar="C", help="Accepted centre code (repeat; default: any).")
def plan_command(
    catalog_paths: tuple[str, ...],
    transcript: str,
    program: str,
    version: str | None,
    start: tuple[int, str],
    pace_units: int | None,
    pace_ects: float | None,
    modalities: tuple[str, ...],
    centres: tuple[str, ...],
) -> None:
    """Print the earliest semester-by-semester plan completing a programme, as JSON.

    From the catalogue's offerings (an offering's last year is assumed to repeat) and the learner
    record, at the pace given (--pace-units or --pace-ects). Exits 0 whatever the plan's status;
    2 on bad input, with one FILE:LINE: problem line per problem on stderr.
    """
    if (pace_units is None) == (pace_ects is None):
        raise click.UsageError("give one of --pace-units and --pace-ects")
    from lms.progress.audit.planner.files import plan_from_files
    from lms.progress.audit.planner.plans import Preferences

    catalog, record = read_inputs(catalog_paths, transcript)
    chosen, problem = choose_program(catalog.programs, program, version)
    if chosen is None:
        fail([f"{', '.join(catalog_paths)}:0: {problem}"])
    preferences = Preferences(
        pace_kind="units" if pace_units is not None else "ects",
        pace=Fraction(pace_units) if pace_units is not None else Fraction(str(pace_ects)),
        modalities=frozenset(modalities),
        centres=frozenset(centres),
    )
    answer, warnings = plan_from_files(chosen, catalog, record, preferences, start)
    for warning in warnings:
        click.echo(f"lms plan: warning: {warning}", err=True)
    print_json(answer)
