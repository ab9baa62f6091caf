"""``lms users ...``: account administration from the command line."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from lms.accounts import services
from lms.accounts.models import Role, User
from lms.extensions import db

users = click.Group("users", help="Manage user accounts.")


@users.command("create")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", required=True, help="Full name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Role to grant (repeatable).",
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="LMS_NEW_PASSWORD")
@click.option("--locale", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@with_appcontext
def create_user(email: str, name: str, roles: tuple[str, ...], password: str, locale: str) -> None:
    """Create a user (there is no default administrator: create one with --role admin)."""
    try:
        user = services.create_user(email, name, [Role(r) for r in roles], password=password, locale=locale)
        db.session.commit()
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"created {user.email} ({', '.join(sorted(user.roles))})")


@users.command("list")
@click.option("--role", type=click.Choice([r.value for r in Role]))
@with_appcontext
def list_users(role: str | None) -> None:
    """List users with their roles."""
    query = sa.select(User).order_by(User.email)
    for user in db.session.scalars(query):
        if role and Role(role) not in user.roles:
            continue
        state = "" if user.active else " (disabled)"
        click.echo(f"{user.email}\t{user.name}\t{','.join(sorted(user.roles))}{state}")


@users.command("grant")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@with_appcontext
def grant(email: str, role: str) -> None:
    """Grant ROLE to the user with EMAIL."""
    user = db.session.scalar(sa.select(User).where(User.email == services.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    services.grant_role(user, Role(role))
    db.session.commit()
    click.echo(f"{user.email}: {','.join(sorted(user.roles))}")
