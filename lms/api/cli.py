"""``lms tokens ...``: service tokens for the institution's systems."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from lms.api import services
from lms.api.models import ApiToken, Scope, TokenKind
from lms.extensions import db

tokens = click.Group("tokens", help="Manage API service tokens.")


@tokens.command("create")
@click.option("--name", required=True, help="The system the token is for (shown in the audit log).")
@click.option("--scope", type=click.Choice([s.value for s in Scope]), required=True, help="read, write or admin.")
@click.option("--expires-in-days", type=click.IntRange(1, services.MAX_LIFETIME_DAYS), help="Default: never.")
@with_appcontext
def create(name: str, scope: str, expires_in_days: int | None) -> None:
    """Create a service token; the token is printed alone on the last line (shown once)."""
    try:
        token, secret = services.create_service_token(name, Scope(scope), expires_in_days)
        db.session.commit()
    except services.TokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    expiry = token.expires_at.date().isoformat() if token.expires_at else "never"
    click.echo(
        f"service token {token.name} (scope {token.scope.value}, expires {expiry}), acting as {token.user.email}:"
    )
    click.echo(secret)


@tokens.command("list")
@with_appcontext
def list_tokens() -> None:
    """List live and revoked tokens (never their secrets)."""
    rows = db.session.scalars(sa.select(ApiToken).order_by(ApiToken.kind, ApiToken.name, ApiToken.id))
    for token in rows:
        state = "revoked" if token.revoked_at else ("expired" if not token.live(services.utcnow()) else "active")
        owner = token.user.email
        click.echo(
            f"{token.id}\t{token.kind.value}\t{token.name}\t{token.prefix}…\t{token.scope.value}\t{owner}\t{state}"
        )


@tokens.command("revoke")
@click.argument("name")
@with_appcontext
def revoke(name: str) -> None:
    """Revoke the live service token named NAME."""
    token = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.kind == TokenKind.SERVICE, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    )
    if token is None:
        raise click.ClickException(f"no live service token named {name}")
    services.revoke_token(token, actor=None)
    db.session.commit()
    click.echo(f"revoked {token.name}")
