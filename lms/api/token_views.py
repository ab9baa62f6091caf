"""The account page's API tokens (``/account/tokens``): make one (its secret shown once), see
them, revoke one."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from lms.accounts.models import Role
from lms.api import services
from lms.api.forms import RevokeForm, TokenForm
from lms.api.models import ApiToken, Scope, TokenKind
from lms.core.access import login_required
from lms.core.i18n import gettext as _
from lms.core.refusals import attempt
from lms.core.time import utcnow
from lms.extensions import db

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")


def _own_tokens() -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == current_user.id, ApiToken.kind == TokenKind.PERSONAL)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    return (
        render_template(
            "api/tokens.html",
            form=form,
            revoke_form=RevokeForm(),
            tokens=_own_tokens(),
            secret=secret,
            now=utcnow(),
        ),
        status,
    )


@bp.route("/")
@login_required
def index():
    return _page(TokenForm().offer(current_user.has_role(Role.ADMIN)))


@bp.route("/", methods=["POST"])
@login_required
def create():
    form = TokenForm().offer(current_user.has_role(Role.ADMIN))
    if not form.validate_on_submit():
        return _page(form, status=422)
    with attempt(form) as outcome:
        _token, secret = services.create_personal_token(
            current_user, form.name.data, Scope(form.scope.data), int(form.expires_in_days.data)
        )
    if outcome.refused:
        return _page(form, status=outcome.status)
    return _page(TokenForm(formdata=None).offer(current_user.has_role(Role.ADMIN)), secret=secret, status=201)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id or token.kind != TokenKind.PERSONAL:
        abort(404)
    if RevokeForm().validate_on_submit():
        services.revoke_token(token, current_user)
        flash(_("The token %(name)s is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
