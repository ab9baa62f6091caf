"""Catalogue pages: programmes and their requirement trees, units, and the import of a file."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts.models import Role
from lms.accounts.queries import user_by_email, user_by_id
from lms.catalog import directors, queries, uploads
from lms.catalog.forms import CatalogUploadForm, ConfirmImportForm, DetachDirectorForm, DirectorForm, UnitSearchForm
from lms.catalog.models import Programme
from lms.catalog.services import apply_import
from lms.core import jobs
from lms.core.access import roles_required
from lms.core.holdings import settle
from lms.core.i18n import gettext as _

bp = Blueprint("catalog", __name__, url_prefix="/catalog")

UNITS_PER_PAGE = 50


@bp.route("/programmes")
@roles_required(Role.ADMIN, Role.DIRECTOR)
def programmes():
    return render_template("catalog/programmes.html", lines=queries.programme_lines(), unit_count=queries.unit_count())


@bp.route("/programmes/<code>")
@bp.route("/programmes/<code>/versions/<path:version>")
@roles_required(Role.ADMIN, Role.DIRECTOR)
def programme(code: str, version: str | None = None):
    return _programme_page(code, version)


def _programme_page(code: str, version: str | None = None, director_form: DirectorForm | None = None, status=200):
    lines = queries.programme_versions(code)
    if version is None:
        shown = lines[-1] if lines else None  # the newest version, by string order
    else:
        shown = next((line for line in lines if line.version.version == version), None)
    if shown is None:
        abort(404)
    tree = queries.requirement_tree(shown.version.requirements)
    admin = current_user.has_role(Role.ADMIN)
    return render_template(
        "catalog/programme.html",
        code=code,
        lines=lines,
        shown=shown,
        tree=tree,
        directors=directors.programme_directors_of(shown.version.programme_id) if admin else None,
        director_form=(director_form or DirectorForm(formdata=None)) if admin else None,
        detach_form=DetachDirectorForm(formdata=None) if admin else None,
    ), status


def _programme(code: str) -> Programme:
    programme = queries.programme_by_code(code)
    if programme is None:
        abort(404)
    return programme


@bp.route("/programmes/<code>/directors", methods=["POST"])
@roles_required(Role.ADMIN)
def add_director(code: str):
    programme = _programme(code)
    form = DirectorForm()
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if user is None:
            form.email.errors.append(_("No account has the e-mail address %(email)s.", email=form.email.data.strip()))
        else:
            try:
                added = directors.attach_director(programme, user)
            except directors.DirectorError as error:
                form.email.errors.append(str(error))
            else:
                if added:
                    flash(_("%(name)s now directs %(code)s.", name=user.name, code=programme.code), "success")
                else:
                    flash(_("%(name)s already directs %(code)s.", name=user.name, code=programme.code), "info")
                return redirect(url_for(".programme", code=programme.code))
    return _programme_page(programme.code, director_form=form, status=400)


@bp.route("/programmes/<code>/directors/<int:user_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def remove_director(code: str, user_id: int):
    programme = _programme(code)
    user = user_by_id(user_id)
    if user is None or not DetachDirectorForm().validate_on_submit():
        abort(400)
    if directors.detach_director(programme, user):
        flash(_("%(name)s no longer directs %(code)s.", name=user.name, code=programme.code), "success")
    return redirect(url_for(".programme", code=programme.code))


@bp.route("/units")
@roles_required(Role.ADMIN)
def units():
    form = UnitSearchForm(request.args)
    text = (form.q.data or "").strip() if form.validate() else ""
    page = queries.search_units(text, request.args.get("page", 1, type=int), UNITS_PER_PAGE)
    return render_template("catalog/units.html", form=form, page=page, q=text)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def import_upload():
    form = CatalogUploadForm()
    if not form.validate_on_submit():
        return render_template("catalog/import.html", form=form, max_kib=uploads.files.max_bytes() // 1024)
    data = form.file.data.read()
    filename = uploads.files.display_name(form.file.data.filename)
    preview = uploads.preview(data, filename)
    confirm = None
    if preview.ok and preview.plan.has_changes:
        confirm = ConfirmImportForm(formdata=None, token=uploads.files.store(data, filename, user_id=current_user.id))
    return render_template("catalog/import_preview.html", preview=preview, confirm=confirm)


@bp.route("/import/confirm", methods=["POST"])
@roles_required(Role.ADMIN)
def import_confirm():
    form = ConfirmImportForm()
    stored = uploads.files.fetch(form.token.data, user_id=current_user.id) if form.validate_on_submit() else None
    if stored is None:
        flash(_("This upload has expired or is unknown: please send the file again."), "warning")
        return redirect(url_for(".import_upload"))
    preview = uploads.preview(stored.data, stored.filename)  # the database may have changed since
    if not preview.ok:
        uploads.files.discard(stored.token)
        return render_template("catalog/import_preview.html", preview=preview, confirm=None)
    counts = apply_import(preview.plan)
    uploads.files.discard(stored.token)
    flash(
        _(
            "Catalogue imported from %(name)s. Units added: %(units)d; units changed: %(changed)d; "
            "programme versions added: %(versions)d; offerings added: %(offerings)d.",
            name=stored.filename,
            units=counts["units_added"],
            changed=counts["units_changed"],
            versions=counts["versions_added"],
            offerings=counts["offerings_added"],
        ),
        "success",
    )
    settle()  # the learners' re-audit starts with the import: its page follows it
    reaudits = jobs.started()
    if reaudits:
        return redirect(url_for("core.job", job_id=reaudits[-1], back=url_for(".import_upload")))
    return redirect(url_for(".import_upload"))
