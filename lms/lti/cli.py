"""``lms lti ...``: platforms registered from the command line, the tool's keys."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from lms.extensions import db
from lms.lti import keys, queries, services
from lms.lti.models import MatchBy

lti = click.Group("lti", help="LTI 1.3 tool: platforms and keys.")
platforms = click.Group("platforms", help="Platforms (Moodle) allowed to launch lms.")
lti.add_command(platforms)


@platforms.command("add")
@click.option("--name", required=True)
@click.option("--issuer", required=True, help="The platform's issuer (Moodle: its wwwroot).")
@click.option("--client-id", required=True)
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True, help="Repeatable.")
@click.option("--auth-login-url", required=True, help="Moodle: /mod/lti/auth.php")
@click.option("--auth-token-url", required=True, help="Moodle: /mod/lti/token.php")
@click.option("--key-set-url", required=True, help="Moodle: /mod/lti/certs.php")
@click.option("--match-by", type=click.Choice([m.value for m in MatchBy]), default="subject", show_default=True)
@click.option("--create-accounts/--no-create-accounts", default=False, show_default=True)
@with_appcontext
def add(
    name, issuer, client_id, deployment_ids, auth_login_url, auth_token_url, key_set_url, match_by, create_accounts
):
    """Register a platform."""
    try:
        platform = services.add_platform(
            name=name,
            issuer=issuer,
            client_id=client_id,
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            key_set_url=key_set_url,
            deployment_ids=list(deployment_ids),
            match_by=match_by,
            create_accounts=create_accounts,
        )
        keys.signing_key()
        db.session.commit()
    except services.PlatformError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"registered {platform.name} ({platform.issuer}, client {platform.client_id})")


@platforms.command("list")
@with_appcontext
def list_platforms():
    """List the registered platforms."""
    for platform in queries.platforms():
        click.echo(
            f"{platform.id}\t{platform.name}\t{platform.issuer}\t{platform.client_id}\t{','.join(platform.deployment_ids)}"
        )


@lti.command("jwks")
@with_appcontext
def show_jwks():
    """Print the tool's public keys (created on first use)."""
    keys.signing_key()
    db.session.commit()
    click.echo(json.dumps(keys.jwks(), indent=2))
