"""``lms results import FILE.csv [--dry-run] [--publish] [--by EMAIL]``: results in bulk, all or nothing.

Bad input exits with status 2, one ``FILE:LINE: problem`` line per problem on stderr, nothing
written; a failure of the write itself (a result changed meanwhile) is a click error, nothing
written either. See :mod:`lms.results.bulk` for how, and the command's help for the columns.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from lms.core import jobs
from lms.core.time import utcnow
from lms.extensions import db

SOURCE = "import:cli"

HELP = """Import results from FILE (CSV, UTF-8, "," or ";" separated), all or nothing.

\b
Columns (header row required, any order):
  learner_number   the learner's number
  unit             unit code (NFA031)
  academic_year    the year the academic year starts (2025 for 2025-2026)
  semester         S1, S2 or A
  modality         presentiel_jour, presentiel_soir, hybride_jour, hybride_soir,
                   foad, distance_planifiee_jour, distance_planifiee_soir
  centre           centre code (PAR)
  exam_session     1 or 2
  grade            0 to 20, two decimals at most, "." or "," (optional column)
  absent           1/yes/ABS or 0/no/blank (optional column)
  decision         validated or not_validated, UA only (optional column)
  comment          replaces the result's comment (optional column; absent: kept)
  decided_on       YYYY-MM-DD, the decision date of results published now
                   (optional; default: today)
  reason           required to change a published result: the change is then
                   a correction, with this reason in its history (optional)

\b
The learner must be registered for the offering (registrations are not made
here); session 2 only for a failed session 1 result already published. A row
repeating a result already in the database is unchanged: running the same file
twice writes nothing the second time. New results and changed drafts are drafts
unless --publish, which publishes every result of the file (not before the
exam date). After the jury of a session its sheet is locked: no new result, no
draft change, only corrections. Problems print as FILE:LINE: problem (exit 2,
nothing written). The learners whose published results change are re-audited
in the same transaction, 500 at a time; more than 5,000 of them, on the task
queue (a job, as after a catalogue import). No notification is sent per result.
"""


@click.group("results", help="Results: bulk import.")
def results() -> None:
    pass


@results.command("import", help=HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check everything and print what would be written; write nothing.")
@click.option("--publish", is_flag=True, help="Publish the file's results (new, changed or still draft).")
@click.option("--by", "by_email", metavar="EMAIL", help="The account the history records as the author.")
@with_appcontext
def import_command(file: Path, dry_run: bool, publish: bool, by_email: str | None) -> None:
    from lms.accounts.queries import user_by_email
    from lms.results import bulk

    actor_id = None
    if by_email:
        actor = user_by_email(by_email)
        if actor is None:
            raise click.ClickException(f"--by: no account with the e-mail address {by_email}")
        actor_id = actor.id
    started = time.perf_counter()
    now = utcnow()
    connection = db.session.connection()
    _begin(connection, write=not dry_run)
    try:
        with file.open(encoding="utf-8-sig", newline="") as stream:
            check = bulk.check_file(connection, stream, str(file), publish=publish, today=now.date())
        if not check.ok:
            db.session.rollback()
            for line in check.lines():
                click.echo(line, err=True)
            sys.exit(2)
        counts = check.counts
        click.echo(_describe(counts, publish, dry_run))
        if dry_run:
            db.session.rollback()
            click.echo(f"Dry run: nothing written ({time.perf_counter() - started:.1f} s).")
            return
        if counts["rows"] == counts["unchanged"]:  # nothing new, nothing to publish
            db.session.rollback()
            click.echo("Nothing to import: the database already holds these results.")
            return
        bulk.write(connection, now=now, actor_id=actor_id, source=SOURCE)
        reaudited = bulk.reaudit(connection)
        queued = jobs.started()
        db.session.commit()
    except bulk.ChangedMeanwhile as error:
        db.session.rollback()
        raise click.ClickException(f"nothing written: {error}; run the import again") from None
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise click.ClickException(f"nothing written: {reason}") from None
    except BaseException:
        db.session.rollback()
        raise
    seconds = time.perf_counter() - started
    if queued:
        click.echo(
            f"Imported in {seconds:.1f} s; the re-audit of {reaudited} learners is queued "
            f"(job {', '.join(map(str, queued))}, done by lms worker)."
        )
    else:
        click.echo(f"Imported in {seconds:.1f} s; {reaudited} learners re-audited.")


def _begin(connection: sa.Connection, *, write: bool) -> None:
    """SQLite: open the transaction now (pysqlite waits for the first write), IMMEDIATE for a real
    import so that nobody writes between the check and the write. PostgreSQL: already open."""
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")


def _describe(counts: dict[str, int], publish: bool, dry_run: bool) -> str:
    verb = "would be" if dry_run else "to be"
    text = (
        f"{counts['rows']} rows: {counts['created']} new results, {counts['edited']} drafts changed, "
        f"{counts['corrected']} corrections, "
        + (f"{counts['kept']} drafts kept as they are, " if publish else "")
        + f"{counts['unchanged']} unchanged"
    )
    if publish:
        text += f"; {counts['published']} {verb} published"
    return text + f"; {counts['learners']} learners {verb} re-audited."
