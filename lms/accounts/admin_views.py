"""Administrators' account pages: list and search, create (the person chooses their password from
a mailed one-time link), roles, deactivation (never deletion) and password reset links."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts import queries, services
from lms.accounts.forms import (
    AccountActionForm,
    AccountCreateForm,
    AccountRolesForm,
    AccountSearchForm,
    role_choices,
)
from lms.accounts.mails import LinkMail
from lms.accounts.models import Role
from lms.core.access import roles_required
from lms.core.i18n import gettext as _
from lms.core.refusals import attempt

bp = Blueprint("accounts_admin", __name__, url_prefix="/admin/accounts")
PER_PAGE = 50


@bp.context_processor
def _labels() -> dict:
    return {"role_labels": {choice.value: choice.label for choice in role_choices()}}


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    form = AccountSearchForm(request.args)
    valid = form.validate()
    text = (form.q.data or "").strip() if valid else ""
    role = Role(form.role.data) if valid and form.role.data else None
    page = queries.account_page(text, role, request.args.get("page", 1, type=int), PER_PAGE)
    return render_template("accounts/admin/index.html", form=form, page=page, q=text, role=role)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create():
    form = AccountCreateForm()
    if form.validate_on_submit():
        with attempt(form, field="email") as outcome:
            user = services.create_account(
                form.email.data,
                form.name.data,
                [Role(r) for r in form.roles.data],
                form.locale.data,
                current_user.id,
            )
        if not outcome.refused:
            flash(
                _(
                    "The account of %(name)s has been created; a link to choose a password has been sent to %(email)s.",
                    name=user.name,
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for(".show", user_id=user.id), code=303)
    return render_template("accounts/admin/create.html", form=form), 422 if form.errors else 200


def _account(user_id: int) -> queries.AccountLine:
    line = queries.get_account(user_id)
    if line is None:
        abort(404)
    return line


def _show(line: queries.AccountLine, roles_form: AccountRolesForm | None = None, status: int = 200):
    user = line.user
    if roles_form is None:
        roles_form = AccountRolesForm(formdata=None, roles=sorted(role.value for role in user.roles))
    return render_template(
        "accounts/admin/show.html",
        line=line,
        user=user,
        roles_form=roles_form,
        action=AccountActionForm(),
        is_self=user.id == current_user.id,
    ), status


@bp.route("/<int:user_id>")
@roles_required(Role.ADMIN)
def show(user_id: int):
    return _show(_account(user_id))


@bp.route("/<int:user_id>/roles", methods=["POST"])
@roles_required(Role.ADMIN)
def roles(user_id: int):
    line = _account(user_id)
    form = AccountRolesForm()
    if form.validate_on_submit():
        with attempt(form, field="roles") as outcome:
            services.set_roles(line.user, [Role(r) for r in form.roles.data], current_user.id)
        if not outcome.refused:
            flash(_("The roles of %(name)s have been saved.", name=line.user.name), "success")
            return redirect(url_for(".show", user_id=user_id), code=303)
    return _show(line, form, 422)


@bp.route("/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def set_active(user_id: int):
    line = _account(user_id)
    if not AccountActionForm().validate_on_submit():
        abort(400)
    activate = not line.user.active
    with attempt(flash="danger") as outcome:
        services.set_active(line.user, activate, current_user.id)
    if outcome.refused:
        return _show(line, status=422)
    if activate:
        flash(_("The account of %(name)s is active again.", name=line.user.name), "success")
    else:
        flash(
            _(
                "The account of %(name)s is deactivated: it cannot log in and its sessions have ended.",
                name=line.user.name,
            ),
            "success",
        )
    return redirect(url_for(".show", user_id=user_id), code=303)


@bp.route("/<int:user_id>/password-link", methods=["POST"])
@roles_required(Role.ADMIN)
def password_link(user_id: int):
    line = _account(user_id)
    if not AccountActionForm().validate_on_submit():
        abort(400)
    if not line.user.active:
        flash(_("Reactivate the account before sending it a password link."), "warning")
        return redirect(url_for(".show", user_id=user_id), code=303)
    services.send_password_link(line.user, LinkMail.RESET, current_user.id)
    flash(_("A link to choose a new password has been sent to %(email)s.", email=line.user.email), "success")
    return redirect(url_for(".show", user_id=user_id), code=303)
