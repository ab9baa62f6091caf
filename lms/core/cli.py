"""Core commands: ``lms worker`` (the consumer of the task queue, :mod:`lms.core.tasks`) and
``lms storage ...`` (the shared storage of files, :mod:`lms.core.storage`)."""

from __future__ import annotations

import logging

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from lms.core.models import StoredFile
from lms.core.tasks import task_queue
from lms.extensions import db

storage = click.Group("storage", help="Files kept in the shared storage (the database).")


@storage.command("usage")
@with_appcontext
def usage() -> None:
    """How many files of each kind, and their size."""
    rows = db.session.execute(
        sa.select(StoredFile.kind, sa.func.count(StoredFile.id), sa.func.coalesce(sa.func.sum(StoredFile.size), 0))
        .group_by(StoredFile.kind)
        .order_by(StoredFile.kind)
    ).all()
    if not rows:
        click.echo("no stored file")
    for kind, count, size in rows:
        click.echo(f"{kind}: {count} file(s), {int(size)} bytes")


@storage.command("purge-uploads")
@with_appcontext
def purge_uploads() -> None:
    """Delete the uploads whose confirmation time has passed (each kind's <PREFIX>_TTL)."""
    from lms.core.uploads import purge_all_expired

    for kind, removed in purge_all_expired().items():
        click.echo(f"{kind}: {removed} expired upload(s) deleted")
    db.session.commit()


@click.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), help="Threads running tasks (default: TASK_WORKERS).")
@with_appcontext
def worker_command(workers: int | None) -> None:
    """Run the background tasks: re-audits, e-mails, daily notices, documents to download."""
    queue = task_queue()
    if current_app.config["TASKS_IMMEDIATE"]:
        raise click.ClickException(
            "TASKS_IMMEDIATE is set: tasks run where they are queued, there is nothing to consume"
        )
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(levelname)s %(name)s: %(message)s")
    resumed = queue.resume_stalled(every=True)  # a job cut short by the last stop goes on
    if resumed:
        click.echo(f"{resumed} unfinished jobs resumed.")
    queue.consumer(workers or int(current_app.config["TASK_WORKERS"])).run()
