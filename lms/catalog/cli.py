"""``lms catalog import PATH...``, ``lms catalog export DIR`` and ``lms programmes directors add|remove|list``.

Import reads catalogue files (formats.md), shows or applies the plan, and commits only after a
clean apply. Bad input — a loader problem or a conflict with the database — exits with status 2,
one ``FILE:LINE: what is wrong`` line per problem on stderr, no traceback and nothing written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.accounts.queries import user_by_email
from lms.catalog import directors, queries
from lms.catalog.export import catalog_file_names, write_catalog
from lms.catalog.services import apply_import, describe_plan, plan_import
from lms.core import jobs
from lms.core.holdings import settle
from lms.core.time import utcnow
from lms.extensions import db
from lms.progress.audit.catalogue import CatalogError, catalog_files, read_catalog

PROGRESS_FROM = 100  # rows to write before a progress bar is worth showing

catalog = click.Group("catalog", help="Import and export the catalogue (units, programmes, offerings).")


def _fail(problems: list[str]) -> None:
    for problem in problems:
        click.echo(problem, err=True)
    sys.exit(2)


@catalog.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@with_appcontext
def import_command(paths: tuple[str, ...], dry_run: bool) -> None:
    """Import catalogue files (or folders of *.yaml files) into the database."""
    try:
        catalogue = read_catalog(
            paths, known_units=queries.database_unit_codes(), known_slots=queries.database_slot_codes()
        )
    except CatalogError as error:
        _fail(error.problems)
    plan = plan_import(catalogue)
    if dry_run or not plan.ok:
        for line in describe_plan(plan):
            click.echo(line)
    if not plan.ok:
        _fail(plan.problems)
    if dry_run:
        click.echo("Dry run: nothing written.")
        return
    if not plan.has_changes:
        click.echo("Nothing to import: the database already holds this catalogue.")
        return
    try:
        if plan.work >= PROGRESS_FROM:
            with click.progressbar(length=plan.work, label="Importing", file=sys.stderr) as bar:
                counts = apply_import(plan, progress=bar.update)
        else:
            counts = apply_import(plan)
        settle()  # the learners' re-audit, if the change concerns them, starts with the import
        reaudits = jobs.started()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    click.echo(
        f"Imported: {counts['units_added']} units added, {counts['units_changed']} changed; "
        f"{counts['equivalences_added']} equivalences; {counts['versions_added']} programme versions; "
        f"{counts['offerings_added']} offerings added, {counts['offerings_changed']} changed; "
        f"{counts['centres_added']} centres added."
    )
    for job_id in reaudits:
        click.echo(f"Every learner's re-audit is job {job_id} of the task queue: `lms worker` runs it.")


@catalog.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(directory: Path) -> None:
    """Write the database catalogue into DIRECTORY as catalogue files that import reads back."""
    data = queries.catalog_from_database()
    if directory.is_dir():
        ours = catalog_file_names(data)
        for path in catalog_files([directory]):
            if path.name not in ours:
                click.echo(f"warning: {path} is not part of the export but would be read with it", err=True)
    written = write_catalog(data, directory, header=f"Exported by lms on {utcnow():%Y-%m-%d %H:%M} UTC")
    names = ", ".join(p.name for p in written)
    click.echo(
        f"Exported {len(data.units)} units, {len(data.equivalences)} equivalences, {len(data.programs)} programme "
        f"versions and {len(data.offerings)} offerings to {directory}: {names}"
    )


# --- lms programmes directors add|remove|list ----------------------------------------------------------

programmes = click.Group("programmes", help="Programmes: who directs them.")
directors_group = click.Group("directors", help="Attach, detach or list the directors of a programme.")
programmes.add_command(directors_group)


def _programme_and_user(code: str, email: str | None = None):
    programme = queries.programme_by_code(code.strip())
    if programme is None:
        _fail([f"no programme {code.strip()}"])
    if email is None:
        return programme, None
    user = user_by_email(email)
    if user is None:
        _fail([f"no user with e-mail {email.strip()}"])
    return programme, user


@directors_group.command("add")
@click.argument("code")
@click.argument("email")
@with_appcontext
def add_director_command(code: str, email: str) -> None:
    """Make the user with EMAIL (a director) a director of programme CODE."""
    programme, user = _programme_and_user(code, email)
    try:
        added = directors.attach_director(programme, user)
    except directors.DirectorError as error:
        _fail([str(error)])
    db.session.commit()
    click.echo(f"{user.email} {'now directs' if added else 'already directs'} {programme.code}")


@directors_group.command("remove")
@click.argument("code")
@click.argument("email")
@with_appcontext
def remove_director_command(code: str, email: str) -> None:
    """The user with EMAIL no longer directs programme CODE."""
    programme, user = _programme_and_user(code, email)
    if not directors.detach_director(programme, user):
        _fail([f"{user.email} does not direct {programme.code}"])
    db.session.commit()
    click.echo(f"{user.email} no longer directs {programme.code}")


@directors_group.command("list")
@click.argument("code")
@with_appcontext
def list_directors_command(code: str) -> None:
    """The directors of programme CODE, one per line (e-mail, name)."""
    programme, _ = _programme_and_user(code)
    for user in directors.programme_directors_of(programme.id):
        click.echo(f"{user.email}\t{user.name}")
