"""``lms demo [--if-empty] [--learners N] [--seed S] [--catalogue paris|six]``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.demo.accounts import database_is_empty, print_accounts
from lms.demo.catalogue import CATALOGUES
from lms.demo.context import DemoSettings
from lms.demo.generator import load_demo
from lms.extensions import db
from lms.progress.audit.catalogue import CatalogError


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (but print the accounts) when the database has users.")
@click.option("--learners", default=DemoSettings.learners, show_default=True, type=click.IntRange(1, 100000))
@click.option("--seed", default=DemoSettings.seed, show_default=True, type=int)
@click.option(
    "--catalogue",
    type=click.Choice(sorted(CATALOGUES)),
    default=DemoSettings.catalogue,
    show_default=True,
    help="paris: the whole Cnam Paris catalogue (355 programmes); six: only the six the demo accounts follow.",
)
@with_appcontext
def demo_command(if_empty: bool, learners: int, seed: int, catalogue: str) -> None:
    """Load the Cnam catalogue and a generated cohort of learners into an empty database."""
    if not database_is_empty():
        if if_empty:
            click.echo("The database already holds data: demo data not loaded.")
            print_accounts()
            return
        raise click.ClickException("the database already holds users: the demo loads only into an empty database")
    try:
        summary = load_demo(DemoSettings(learners=learners, seed=seed, catalogue=catalogue))
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
    print_accounts()
