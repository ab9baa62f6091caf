"""Grade sheets: my offerings, the sheet of one exam session, its jury date and its CSV download."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user

from lms.accounts.models import Role
from lms.catalog.models import UnitKind
from lms.core.access import deny_unless, roles_required
from lms.core.exports import csv_download
from lms.core.i18n import gettext as _
from lms.core.i18n import ngettext
from lms.core.refusals import attempt
from lms.core.time import academic_year, utcnow
from lms.extensions import db
from lms.results import queries, services
from lms.results.forms import (
    JuryDateForm,
    MyOfferingsFilterForm,
    PublishForm,
    SheetForm,
    read_rows,
)
from lms.results.models import Result, ResultStatus
from lms.results.views import bp, offering_or_404, session_or_404
from lms.results.views.pages import correction_page, render_conflict
from lms.timetable.queries import tutor_offerings, tutor_years


@bp.route("/offerings")
@roles_required(Role.TUTOR)
def my_offerings():
    form = MyOfferingsFilterForm(request.args)
    form.fill(tutor_years(current_user.id), academic_year(utcnow().date()))
    year, semester = form.chosen()
    lines = tutor_offerings(current_user.id, year=year, semester=semester)
    return render_template("results/offerings.html", lines=lines, form=form)


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
            can_amend=not locked and queries.can_edit_sheet(current_user, offering),
            jury_on=services.jury_date(offering, session),
            jury_form=JuryDateForm(jury_on=services.jury_date(offering, session))
            if not locked and queries.can_correct(current_user, offering)
            else None,
        ),
        status,
    )


@bp.route("/offerings/<int:offering_id>/sessions/<int:session>", methods=["GET", "POST"])
@roles_required(Role.TUTOR, Role.DIRECTOR, Role.ADMIN)
def sheet(offering_id: int, session: int):
    offering = offering_or_404(offering_id)
    session = session_or_404(session)
    deny_unless(queries.can_view_sheet(current_user, offering))
    form = SheetForm()
    if request.method == "GET":
        return _render_sheet(offering, session, form)
    deny_unless(queries.can_edit_sheet(current_user, offering))
    services.lock_sheet(offering, session)  # once the jury has met, the first write locks the sheet
    if not form.validate_on_submit():
        flash(_("The form has expired: please send it again."), "warning")
        return redirect(url_for(".sheet", offering_id=offering.id, session=session))
    registration_ids = [registration.id for registration in queries.sheet_registrations(offering, session)]
    rows = read_rows(request.form, registration_ids)
    posted = {row.registration_id: row for row in rows}
    publish = bool(form.publish.data)  # saved as drafts first, then published from the confirmation page
    with attempt() as outcome:
        written = services.save_sheet(offering, session, rows, current_user, publish=False)
    refusal = outcome.refusal
    if isinstance(refusal, services.SheetRejected):
        flash(str(refusal), "danger")
        return _render_sheet(offering, session, form, posted, refusal.errors, status=refusal.status)
    if isinstance(refusal, services.VersionConflict):
        return render_conflict(offering, session, refusal.registration_ids, posted)
    if refusal is not None:  # the jury has met meanwhile
        flash(str(refusal), "danger")
        return redirect(url_for(".sheet", offering_id=offering.id, session=session))
    if written or not publish:
        flash(
            ngettext(
                "%(num)d result saved as draft.",
                "%(num)d results saved as draft.",
                len(written),
            ),
            "success",
        )
    if publish:
        return redirect(url_for(".publish", offering_id=offering.id, session=session))
    return redirect(url_for(".sheet", offering_id=offering.id, session=session))


@bp.route("/offerings/<int:offering_id>/sessions/<int:session>/publish", methods=["GET", "POST"])
@roles_required(Role.TUTOR, Role.ADMIN)
def publish(offering_id: int, session: int):
    """The confirmation of a publication: how many learners, which results, and before the exam
    date an extra confirmation that the audit log keeps."""
    offering = offering_or_404(offering_id)
    session = session_or_404(session)
    deny_unless(queries.can_edit_sheet(current_user, offering))
    back = redirect(url_for(".sheet", offering_id=offering.id, session=session))
    if services.sheet_locked(offering, session):
        flash(str(services.SheetLocked.message), "warning")
        return back
    pending = services.to_publish(offering, session)
    form = PublishForm()
    early = services.publication_early(offering, session)
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        with attempt(form) as outcome:
            published = services.publish_sheet(
                offering,
                session,
                current_user,
                expected=form.key.data or "",
                confirm_early=bool(form.confirm_early.data),
            )
        if not outcome.refused:
            flash(
                ngettext(
                    "Published: %(num)d learner can now see their result.",
                    "Published: %(num)d learners can now see their results.",
                    len(published),
                ),
                "success",
            )
            return back
        status = outcome.status
        if not isinstance(outcome.refusal, services.PublicationTooEarly):
            form.confirm.data = False  # what is there now is to be confirmed again
        pending = services.to_publish(offering, session)
    elif request.method == "POST":
        status = 422
        if form.csrf_token.errors:
            flash(_("The form has expired: please send it again."), "warning")
    if not pending and status == 200:
        flash(_("Nothing to publish: every result with a value is already published."), "info")
        return back
    form.key.data, form.key.raw_data = services.publication_key(pending), []
    return (
        render_template(
            "results/publish.html",
            offering=offering,
            session=session,
            pending=pending,
            form=form,
            early=early,
            exam_on=services.exam_date(offering, session),
            is_ua=offering.unit.kind == UnitKind.UA,
        ),
        status,
    )


@bp.route("/offerings/<int:offering_id>/sessions/<int:session>/correct/<int:result_id>", methods=["GET", "POST"])
@roles_required(Role.TUTOR, Role.ADMIN)
def correct_published(offering_id: int, session: int, result_id: int):
    """Before the jury, a published result changes only here: with a reason, kept in its history,
    and the learner is told. After the jury, directors correct it (``results.correct``)."""
    offering = offering_or_404(offering_id)
    session = session_or_404(session)
    deny_unless(queries.can_edit_sheet(current_user, offering))
    result = db.session.get(Result, result_id)
    if result is None or result.registration.offering_id != offering.id or result.exam_session != session:
        abort(404)
    if result.status != ResultStatus.PUBLISHED or result.locked or services.sheet_locked(offering, session):
        flash(_("Only a published result of a sheet that is not locked can be corrected here."), "warning")
        return redirect(url_for(".sheet", offering_id=offering.id, session=session))
    return correction_page(result, offering, url_for(".sheet", offering_id=offering.id, session=session))


@bp.route("/offerings/<int:offering_id>/sessions/<int:session>/jury", methods=["POST"])
@roles_required(Role.DIRECTOR, Role.ADMIN)
def set_jury(offering_id: int, session: int):
    offering = offering_or_404(offering_id)
    session = session_or_404(session)
    deny_unless(queries.can_correct(current_user, offering))
    form = JuryDateForm()
    if not form.validate_on_submit():
        flash(_("Give the jury date."), "danger")
    else:
        with attempt(flash="danger") as outcome:
            services.set_jury_date(offering, session, form.jury_on.data)
            services.lock_sheet(offering, session)  # a jury that has already met locks the sheet now
        if not outcome.refused:
            flash(_("Jury date set: the sheet locks after %(date)s.", date=format_date(form.jury_on.data)), "success")
    return redirect(url_for(".sheet", offering_id=offering.id, session=session))


@bp.route("/offerings/<int:offering_id>/sessions/<int:session>/export.csv")
@roles_required(Role.TUTOR, Role.DIRECTOR, Role.ADMIN)
def export_sheet(offering_id: int, session: int):
    """The sheet as CSV (learner number and grade first, so it can be imported back)."""
    offering = offering_or_404(offering_id)
    session = session_or_404(session)
    deny_unless(queries.can_view_sheet(current_user, offering))
    header = [_("learner number"), _("grade"), _("absent"), _("decision"), _("comment"), _("status"), _("name")]
    rows = []
    for row in queries.sheet_rows(offering, session):
        result = row.result
        rows.append(
            [
                row.learner.learner_number,
                "" if result is None or result.grade is None else str(result.grade).replace(".", ","),
                "ABS" if result is not None and result.absent else "",
                "" if result is None or result.decision is None else result.decision.value,
                "" if result is None else result.comment or "",
                "" if result is None else result.status.value,
                row.learner.user.name,
            ]
        )
    return csv_download(header, rows, f"{offering.unit.code}-{offering.academic_year}-session{session}.csv")
