"""Importing a grade file onto a sheet: upload, dry-run preview, then all or nothing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts.models import Role
from lms.catalog.models import UnitKind
from lms.core.access import deny_unless, roles_required
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.i18n import ngettext
from lms.core.refusals import attempt
from lms.plugins.manager import plugin_manager
from lms.results import imports, queries, services, uploads
from lms.results.forms import (
    ConfirmGradeImportForm,
    GradeImportForm,
)
from lms.results.grades import parse_maximum
from lms.results.importers import available_importers, importer_named
from lms.results.views import bp, offering_or_404, session_or_404

# --- importing a grade file onto a sheet -------------------------------------------------------------

IMPORTER_LABELS = {
    "csv": _l("Plain CSV (learner number, grade)"),
    "xlsx": _l("Excel XLSX (learner number, grade)"),
    "moodle": _l("Moodle gradebook export (CSV or XLSX)"),
}


def _importable_sheet(offering_id: int, session: int):
    """The offering of a sheet the current user may import into now, or a redirect/abort."""
    offering = offering_or_404(offering_id)
    session = session_or_404(session)
    deny_unless(queries.can_edit_sheet(current_user, offering))
    if offering.unit.kind == UnitKind.UA:
        abort(404)
    if services.sheet_locked(offering, session):
        flash(_("The jury has met: this sheet is locked."), "danger")
        return offering, session, redirect(url_for(".sheet", offering_id=offering.id, session=session))
    return offering, session, None


def _render_import_form(offering, session, form, columns=None, status=200):
    """The upload form (``columns``: the second step of a Moodle import, choosing the column)."""
    importers = available_importers(plugin_manager())
    form.importer.choices = [(i.name, IMPORTER_LABELS.get(i.name, i.label)) for i in importers]
    form.column.choices = [("", _("— choose a column —"))] + [(c, c) for c in columns or []]
    return (
        render_template(
            "results/import.html",
            offering=offering,
            session=session,
            form=form,
            columns=columns or [],
            max_kib=uploads.max_bytes() // 1024,
        ),
        status,
    )


def _render_import_preview(offering, session, filename, importer, imported, confirm, refused=False, status=200):
    return (
        render_template(
            "results/import_preview.html",
            offering=offering,
            session=session,
            filename=filename,
            importer_label=IMPORTER_LABELS.get(importer.name, importer.label),
            imported=imported,
            preview=imported.preview,
            confirm=confirm,
            refused=refused,
            say=imports.say,
            say_number=imports.number,
        ),
        status,
    )


def _store(data, filename, offering, session, importer, column=None, out_of=None) -> str:
    return uploads.store(
        data,
        filename,
        user_id=current_user.id,
        offering_id=offering.id,
        session=session,
        importer=importer.name,
        column=column,
        out_of=None if out_of is None else str(out_of),
    )


@bp.route(
    "/offerings/<int:offering_id>/sessions/<int:session>/import",
    methods=["GET", "POST"],
)
@roles_required(Role.TUTOR, Role.ADMIN)
def import_upload(offering_id: int, session: int):
    offering, session, refused = _importable_sheet(offering_id, session)
    if refused is not None:
        return refused
    form = GradeImportForm()
    form.importer.choices = [(i.name, i.label) for i in available_importers(plugin_manager())]
    if request.method == "GET" or not form.validate_on_submit():
        return _render_import_form(offering, session, form, status=200 if request.method == "GET" else 422)
    importer = importer_named(plugin_manager(), form.importer.data)
    stored = None
    if form.token.data:  # second step of a Moodle import: the file is already here
        stored = uploads.fetch(
            form.token.data,
            user_id=current_user.id,
            offering_id=offering.id,
            session=session,
        )
        if stored is None or stored.importer != form.importer.data:
            flash(
                _("This upload has expired or is unknown: please send the file again."),
                "warning",
            )
            return redirect(url_for(".import_upload", offering_id=offering.id, session=session))
        data, filename = stored.data, stored.filename
    elif form.file.data is None or isinstance(form.file.data, str):
        form.file.errors = [_("Choose a file to send.")]
        return _render_import_form(offering, session, form, status=422)
    else:
        data = form.file.data.read()
        filename = uploads.display_name(form.file.data.filename)
        if not importer.accepts(filename):
            form.file.errors = [_("This format cannot read a file called %(name)s.", name=filename)]
            return _render_import_form(offering, session, form, status=422)
    column = form.column.data or None
    out_of = parse_maximum(form.out_of.data)  # validated by the form
    imported = imports.dry_run(importer, data, filename, offering, session, column, out_of)
    if imported.needs_column or (column and column not in imported.sheet.columns):
        token = stored.token if stored else _store(data, filename, offering, session, importer)
        columns = imported.sheet.columns
        again = GradeImportForm(
            formdata=None, importer=importer.name, token=token, column="", out_of=form.out_of.data or ""
        )
        return _render_import_form(offering, session, again, columns=columns)
    if stored is not None:
        uploads.discard(stored.token)
    confirm = None
    if imported.preview.clean or imported.preview.partial:
        confirm = ConfirmGradeImportForm(
            formdata=None,
            token=_store(data, filename, offering, session, importer, imported.sheet.column, out_of),
        )
    return _render_import_preview(offering, session, filename, importer, imported, confirm)


@bp.route(
    "/offerings/<int:offering_id>/sessions/<int:session>/import/confirm",
    methods=["POST"],
)
@roles_required(Role.TUTOR, Role.ADMIN)
def import_confirm(offering_id: int, session: int):
    offering, session, refused = _importable_sheet(offering_id, session)
    if refused is not None:
        return refused
    form = ConfirmGradeImportForm()
    stored = (
        uploads.fetch(
            form.token.data,
            user_id=current_user.id,
            offering_id=offering.id,
            session=session,
        )
        if form.validate_on_submit()
        else None
    )
    importer = importer_named(plugin_manager(), stored.importer) if stored else None
    if stored is None or importer is None:
        flash(
            _("This upload has expired or is unknown: please send the file again."),
            "warning",
        )
        return redirect(url_for(".import_upload", offering_id=offering.id, session=session))
    # The sheet may have changed since the preview: read the very same bytes again.
    imported = imports.dry_run(importer, stored.data, stored.filename, offering, session, stored.column, stored.out_of)
    preview = imported.preview
    partial = bool(form.partial.data) and preview is not None and not preview.clean
    if preview is None or not (preview.clean or (partial and preview.partial)):
        uploads.discard(stored.token)  # without the option, one refused row refuses the whole file
        return _render_import_preview(
            offering, session, stored.filename, importer, imported, None, refused=True, status=422
        )
    with attempt() as outcome:
        written = services.save_sheet(
            offering,
            session,
            imports.rows_to_save(imported, partial=partial),
            current_user,
            publish=False,
            source=imports.source_of(importer.name),
        )
    if outcome.refused:
        if isinstance(outcome.refusal, services.SheetLocked):
            flash(str(outcome.refusal), "danger")
        else:
            flash(
                _("Nothing was imported: some results cannot be changed now. Check the sheet and send the file again."),
                "danger",
            )
        return redirect(url_for(".sheet", offering_id=offering.id, session=session))
    uploads.discard(stored.token)
    done = ngettext("%(num)d grade imported as a draft.", "%(num)d grades imported as drafts.", len(written))
    if partial:  # the result page lists the rows left out
        return render_template(
            "results/import_done.html",
            offering=offering,
            session=session,
            filename=stored.filename,
            done=done,
            left_out=preview.left_out,
            say=imports.say,
        )
    flash(done, "success")
    return redirect(url_for(".sheet", offering_id=offering.id, session=session))
