"""``lms storage ...``: the shared storage of files (lms.core.storage) from the command line."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from lms.core.models import StoredFile
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
