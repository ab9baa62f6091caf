"""``lms worker``: the consumer of the task queue (:mod:`lms.core.tasks`)."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.tasks import task_queue


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
