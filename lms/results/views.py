"""Grade-sheet pages: my offerings, the sheet of one exam session, corrections, history, my results."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from lms.accounts.models import Role
from lms.catalog.models import UnitKind
from lms.core.access import deny_unless, roles_required
from lms.core.exports import csv_download
from lms.extensions import db
from lms.plugins.manager import plugin_manager
from lms.results import imports, queries, services, uploads
from lms.results.forms import (
    ConfirmGradeImportForm,
    CorrectionForm,
    GradeImportForm,
    JuryDateForm,
    SheetForm,
    read_rows,
)
from lms.results.importers import available_importers, importer_named
from lms.results.models import Result, ResultStatus
from lms.timetable.models import Offering
from lms.timetable.queries import tutor_offerings

bp = Blueprint("results", __name__, url_prefix="/results")

ACTION_LABELS = {
    "create": _l("Created"),
    "edit": _l("Edited"),
    "publish": _l("Published"),
    "lock": _l("Locked"),
    "correction": _l("Corrected"),
    "import": _l("Imported"),
}


def _offering(offering_id: int) -> Offering:
    offering = db.session.get(Offering, offering_id)
    if offering is None:
        abort(404)
    return offering


def _session(session: int) -> int:
    if session not in (1, 2):
        abort(404)
    return session


@bp.route("/offerings")
@roles_required(Role.TUTOR)
def my_offerings():
    return render_template(
        "results/offerings.html", lines=tutor_offerings(current_user.id)
    )


def _render_sheet(offering, session, form, posted=None, errors=None, status=200):
    rows = queries.sheet_rows(offering, session)
    locked = services.sheet_locked(offering, session)
    return (
        render_template(
            "results/sheet.html",
            offering=offering,
            session=session,
            rows=rows,
            form=form,
            posted=posted or {},
            errors=errors or {},
            locked=locked,
            is_ua=offering.unit.kind == UnitKind.UA,
            editable=not locked and queries.can_edit_sheet(current_user, offering),
            can_import=not locked
            and offering.unit.kind != UnitKind.UA
            and queries.can_edit_sheet(current_user, offering),
            can_correct=locked and queries.can_correct(current_user, offering),
            jury_on=services.jury_date(offering, session),
            jury_form=JuryDateForm(jury_on=services.jury_date(offering, session))
            if not locked and queries.can_correct(current_user, offering) else None,
        ),
        status,
    )


@bp.route(
    "/offerings/<int:offering_id>/sessions/<int:session>", methods=["GET", "POST"]
)
@roles_required(Role.TUTOR, Role.DIRECTOR, Role.ADMIN)
def sheet(offering_id: int, session: int):
    offering = _offering(offering_id)
    session = _session(session)
    deny_unless(queries.can_view_sheet(current_user, offering))
    form = SheetForm()
    if request.method == "GET":
        services.lock_sheet(offering, session)
        return _render_sheet(offering, session, form)
    deny_unless(queries.can_edit_sheet(current_user, offering))
    if not form.validate_on_submit():
        flash(_("The form has expired: please send it again."), "warning")
        return redirect(url_for(".sheet", offering_id=offering.id, session=session))
    registration_ids = [
        registration.id
        for registration in queries.sheet_registrations(offering, session)
    ]
    rows = read_rows(request.form, registration_ids)
    posted = {row.registration_id: row for row in rows}
    publish = bool(form.publish.data)
    try:
        written = services.save_sheet(
            offering, session, rows, current_user, publish=publish
        )
    except services.SheetLocked:
        flash(_("The jury has met: this sheet is locked."), "danger")
        return redirect(url_for(".sheet", offering_id=offering.id, session=session))
    except services.SheetRejected as rejected:
        db.session.rollback()
        flash(_("Nothing was saved: correct the rows marked below."), "danger")
        return _render_sheet(
            offering, session, form, posted, rejected.errors, status=422
        )
    except services.VersionConflict as conflict:
        db.session.rollback()
        return _render_conflict(offering, session, conflict.registration_ids, posted)
    if publish:
        flash(_("Published: learners can now see these results."), "success")
    else:
        flash(
            ngettext(
                "%(num)d result saved as draft.",
                "%(num)d results saved as draft.",
                len(written),
            ),
            "success",
        )
    return redirect(url_for(".sheet", offering_id=offering.id, session=session))


@bp.route("/offerings/<int:offering_id>/sessions/<int:session>/jury", methods=["POST"])
@roles_required(Role.DIRECTOR, Role.ADMIN)
def set_jury(offering_id: int, session: int):
    offering = _offering(offering_id)
    session = _session(session)
    deny_unless(queries.can_correct(current_user, offering))
    form = JuryDateForm()
    if not form.validate_on_submit():
        flash(_("Give the jury date."), "danger")
    else:
        try:
            services.set_jury_date(offering, session, form.jury_on.data)
            flash(_("Jury date set: the sheet locks after %(date)s.", date=format_date(form.jury_on.data)), "success")
        except services.SheetLocked as locked:
            flash(str(locked), "danger")
    return redirect(url_for(".sheet", offering_id=offering.id, session=session))


def _render_conflict(offering, session, registration_ids, posted):
    rows = {row.registration.id: row for row in queries.sheet_rows(offering, session)}
    conflicts = [
        (rows[rid], posted.get(rid)) for rid in registration_ids if rid in rows
    ]
    return (
        render_template(
            "results/conflict.html",
            offering=offering,
            session=session,
            conflicts=conflicts,
            is_ua=offering.unit.kind == UnitKind.UA,
        ),
        409,
    )


# --- importing a grade file onto a sheet -------------------------------------------------------------

IMPORTER_LABELS = {
    "csv": _l("Plain CSV (learner number, grade)"),
    "xlsx": _l("Excel XLSX (learner number, grade)"),
    "moodle": _l("Moodle gradebook export (CSV or XLSX)"),
}


def _importable_sheet(offering_id: int, session: int):
    """The offering of a sheet the current user may import into now, or a redirect/abort."""
    offering = _offering(offering_id)
    session = _session(session)
    deny_unless(queries.can_edit_sheet(current_user, offering))
    if offering.unit.kind == UnitKind.UA:
        abort(404)
    if services.sheet_locked(offering, session):
        flash(_("The jury has met: this sheet is locked."), "danger")
        return offering, session, redirect(
            url_for(".sheet", offering_id=offering.id, session=session)
        )
    return offering, session, None


def _render_import_form(offering, session, form, columns=None, status=200):
    importers = available_importers(plugin_manager())
    form.importer.choices = [
        (i.name, IMPORTER_LABELS.get(i.name, i.label)) for i in importers
    ]
    form.column.choices = [("", _("— choose a column —"))] + [
        (c, c) for c in columns or []
    ]
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
        ),
        status,
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
    form.importer.choices = [
        (i.name, i.label) for i in available_importers(plugin_manager())
    ]
    if request.method == "GET" or not form.validate_on_submit():
        return _render_import_form(
            offering, session, form, status=200 if request.method == "GET" else 422
        )
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
            return redirect(
                url_for(".import_upload", offering_id=offering.id, session=session)
            )
        data, filename = stored.data, stored.filename
    elif form.file.data is None or isinstance(form.file.data, str):
        form.file.errors = [_("Choose a file to send.")]
        return _render_import_form(offering, session, form, status=422)
    else:
        data = form.file.data.read()
        filename = uploads.display_name(form.file.data.filename)
        if not importer.accepts(filename):
            form.file.errors = [
                _("This format cannot read a file called %(name)s.", name=filename)
            ]
            return _render_import_form(offering, session, form, status=422)
    column = form.column.data or None
    imported = imports.dry_run(importer, data, filename, offering, session, column)
    if imported.needs_column or (column and column not in imported.sheet.columns):
        token = stored.token if stored else uploads.store(
            data,
            filename,
            user_id=current_user.id,
            offering_id=offering.id,
            session=session,
            importer=importer.name,
        )
        columns = imported.sheet.columns
        again = GradeImportForm(
            formdata=None, importer=importer.name, token=token, column=""
        )
        return _render_import_form(offering, session, again, columns=columns)
    if stored is not None:
        uploads.discard(stored.token)
    confirm = None
    if imported.preview.clean:
        confirm = ConfirmGradeImportForm(
            formdata=None,
            token=uploads.store(
                data,
                filename,
                user_id=current_user.id,
                offering_id=offering.id,
                session=session,
                importer=importer.name,
                column=imported.sheet.column,
            ),
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
        return redirect(
            url_for(".import_upload", offering_id=offering.id, session=session)
        )
    # The sheet may have changed since the preview: read the very same bytes again.
    imported = imports.dry_run(
        importer, stored.data, stored.filename, offering, session, stored.column
    )
    if imported.preview is None or not imported.preview.clean:
        uploads.discard(stored.token)
        return _render_import_preview(
            offering, session, stored.filename, importer, imported, None, refused=True, status=422
        )
    try:
        written = services.save_sheet(
            offering,
            session,
            imports.rows_to_save(imported),
            current_user,
            publish=False,
            source=imports.source_of(importer.name),
        )
    except services.SheetLocked:
        flash(_("The jury has met: this sheet is locked."), "danger")
        return redirect(url_for(".sheet", offering_id=offering.id, session=session))
    except (services.SheetRejected, services.VersionConflict):
        db.session.rollback()
        flash(
            _("Nothing was imported: some results cannot be changed now. Check the sheet and send the file again."),
            "danger",
        )
        return redirect(url_for(".sheet", offering_id=offering.id, session=session))
    uploads.discard(stored.token)
    flash(
        ngettext(
            "%(num)d grade imported as a draft.",
            "%(num)d grades imported as drafts.",
            len(written),
        ),
        "success",
    )
    return redirect(url_for(".sheet", offering_id=offering.id, session=session))


def _result(result_id: int) -> Result:
    result = db.session.get(Result, result_id)
    if result is None:
        abort(404)
    return result


@bp.route("/offerings/<int:offering_id>/sessions/<int:session>/export.csv")
@roles_required(Role.TUTOR, Role.DIRECTOR, Role.ADMIN)
def export_sheet(offering_id: int, session: int):
    """The sheet as CSV (learner number and grade first, so it can be imported back)."""
    offering = _offering(offering_id)
    session = _session(session)
    deny_unless(queries.can_view_sheet(current_user, offering))
    header = [_("learner number"), _("grade"), _("absent"), _("decision"), _("comment"), _("status"), _("name")]
    rows = []
    for row in queries.sheet_rows(offering, session):
        result = row.result
        rows.append([
            row.learner.learner_number,
            "" if result is None or result.grade is None else str(result.grade).replace(".", ","),
            "ABS" if result is not None and result.absent else "",
            "" if result is None or result.decision is None else result.decision.value,
            "" if result is None else result.comment or "",
            "" if result is None else result.status.value,
            row.learner.user.name,
        ])
    return csv_download(header, rows, f"{offering.unit.code}-{offering.academic_year}-session{session}.csv")


@bp.route("/<int:result_id>/correct", methods=["GET", "POST"])
@roles_required(Role.DIRECTOR, Role.ADMIN)
def correct(result_id: int):
    result = _result(result_id)
    offering = result.registration.offering
    deny_unless(queries.can_correct(current_user, offering))
    if result.status != ResultStatus.PUBLISHED or not (
        result.locked or services.sheet_locked(offering, result.exam_session)
    ):
        flash(
            _("Only a published result of a locked sheet can be corrected."), "warning"
        )
        return redirect(
            url_for(".sheet", offering_id=offering.id, session=result.exam_session)
        )
    current = services.value_of(result)
    if request.method == "GET":
        form = CorrectionForm(
            grade="" if current.grade is None else str(current.grade),
            absent=current.absent,
            decision=current.decision.value if current.decision else "",
            comment=current.comment or "",
            version=str(result.version),
        )
    else:
        form = CorrectionForm()
    is_ua = offering.unit.kind == UnitKind.UA
    status = 200
    if form.validate_on_submit():
        row = services.RowInput(
            result.registration_id,
            grade=form.grade.data or "",
            absent=bool(form.absent.data),
            decision=form.decision.data or "",
            comment=form.comment.data or "",
        )
        try:
            value = services.read_value(row, is_ua)
            version = (
                int(form.version.data) if (form.version.data or "").isdigit() else None
            )
            services.correct_result(
                result, value, form.reason.data, current_user, version=version
            )
        except services.GradeError as error:
            form.grade.errors = [error.message]
            status = 422
        except services.CorrectionRefused as refused:
            form.reason.errors = (
                [refused.message] if not (form.reason.data or "").strip() else []
            )
            if not form.reason.errors:
                form.grade.errors = [refused.message]
            status = 422
        except services.VersionConflict:
            db.session.rollback()
            return _render_conflict(
                offering,
                result.exam_session,
                [result.registration_id],
                {result.registration_id: row},
            )
        else:
            flash(_("The result was corrected."), "success")
            return redirect(url_for(".history", result_id=result.id))
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "results/correct.html",
            result=result,
            offering=offering,
            form=form,
            is_ua=is_ua,
            current=current,
        ),
        status,
    )


@bp.route("/<int:result_id>/history")
@roles_required(Role.TUTOR, Role.DIRECTOR, Role.ADMIN)
def history(result_id: int):
    result = _result(result_id)
    offering = result.registration.offering
    deny_unless(queries.can_view_sheet(current_user, offering))
    return render_template(
        "results/history.html",
        result=result,
        offering=offering,
        entries=queries.result_history(result.id),
        action_labels=ACTION_LABELS,
    )


@bp.route("/mine")
@roles_required(Role.LEARNER)
def mine():
    learner = current_user.learner
    deny_unless(learner is not None)
    return render_template(
        "results/mine.html", lines=queries.learner_published_results(learner.id)
    )
