"""``lms demo [--if-empty] [--learners N] [--seed S] [--catalogue paris|six] [--centres C] [--years Y]``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.demo.accounts import DEMO_PASSWORD, database_is_empty, print_accounts
from lms.demo.bulk import BulkSettings, BulkSummary, load_bulk
from lms.demo.catalogue import CATALOGUES
from lms.demo.context import DemoSettings
from lms.demo.generator import load_demo
from lms.extensions import db
from lms.progress.audit.catalogue import CatalogError

# Above this many learners (or with --centres) the learners are generated in bulk.
BULK_THRESHOLD = 5000
DEFAULT_CENTRES = 20


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (but print the accounts) when the database has users.")
@click.option(
    "--learners",
    default=DemoSettings.learners,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help=f"Learners to generate. Above {BULK_THRESHOLD:,} (or with --centres) they form a national data set "
    "inserted in bulk, beside the demo cohort of its usual size.",
)
@click.option("--seed", default=DemoSettings.seed, show_default=True, type=int)
@click.option(
    "--catalogue",
    type=click.Choice(sorted(CATALOGUES)),
    default=DemoSettings.catalogue,
    show_default=True,
    help="paris: the whole Cnam Paris catalogue (355 programmes); six: only the six the demo accounts follow.",
)
@click.option(
    "--centres",
    type=click.IntRange(1, 500),
    help="Generate the learners in bulk over this many regional centres (each with its tutors, offerings, "
    f"meetings and intakes); {DEFAULT_CENTRES} when --learners is above {BULK_THRESHOLD:,}.",
)
@click.option(
    "--years",
    default=BulkSettings.years,
    show_default=True,
    type=click.IntRange(1, 30),
    help="Past academic years of the bulk learners' histories (the current year adds registrations).",
)
@with_appcontext
def demo_command(if_empty: bool, learners: int, seed: int, catalogue: str, centres: int | None, years: int) -> None:
    """Load the Cnam catalogue and a generated cohort of learners into an empty database."""
    if not database_is_empty():
        if if_empty:
            click.echo("The database already holds data: demo data not loaded.")
            print_accounts()
            return
        raise click.ClickException("the database already holds users: the demo loads only into an empty database")
    bulk = centres is not None or learners > BULK_THRESHOLD
    try:
        summary = load_demo(
            DemoSettings(learners=DemoSettings.learners if bulk else learners, seed=seed, catalogue=catalogue)
        )
        if bulk:
            settings = BulkSettings(learners=learners, centres=centres or DEFAULT_CENTRES, years=years, seed=seed)
            bulk_summary = load_bulk(settings, DEMO_PASSWORD, show_progress=True)
        db.session.commit()
    except CatalogError as error:
        db.session.rollback()
        raise click.ClickException("the demo catalogue is invalid:\n" + str(error)) from None
    click.echo(
        f"Demo loaded: {summary.learners} learners, {summary.enrolments} enrolments, {summary.offerings} offerings, "
        f"{summary.registrations} registrations, {summary.results} results, {summary.credits} credits, "
        f"{summary.meetings} meetings, {summary.attendance} attendance marks, {summary.awards} awards, "
        f"{summary.snapshots} audits."
    )
    if bulk:
        print_bulk(bulk_summary)
    print_accounts()


def print_bulk(summary: BulkSummary) -> None:
    rows = summary.rows
    size = f", database {summary.size_bytes / 2**20:,.0f} MiB" if summary.size_bytes else ""
    click.echo(
        f"Bulk data set: {rows['learners']:,} learners at {rows['centres']} centres "
        f"({rows['users'] - rows['learners']} tutors), {rows['offerings']:,} offerings, "
        f"{rows['registrations']:,} registrations, {rows['results']:,} results, {rows['credits']:,} credits, "
        f"{rows['meetings']:,} meetings, {rows['attendance']:,} attendance marks (one offering in "
        f"{BulkSettings.attendance_every}), {rows['enrolments']:,} enrolments, {rows['applications']:,} applications, "
        f"{rows['awards']:,} awards; {sum(rows.values()):,} rows in {summary.seconds:,.0f} s{size}."
    )
    click.echo(
        "Their stored audits are not computed yet: run `lms progress refresh` to compute them "
        f"(learners log in with the demo password, e.g. {summary.sample_email})."
    )
