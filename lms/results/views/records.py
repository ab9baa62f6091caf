"""A result's life after the sheet: corrections after the jury, its history, the learner's own results."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.access import own_learner
from lms.accounts.models import Role
from lms.catalog.models import UnitKind
from lms.core.access import deny_unless, roles_required
from lms.core.refusals import attempt
from lms.extensions import db
from lms.results import queries, services
from lms.results.forms import (
    CorrectionForm,
)
from lms.results.models import Result, ResultStatus
from lms.results.views import bp
from lms.results.views.sheets import render_conflict

ACTION_LABELS = {
    "create": _l("Created"),
    "edit": _l("Edited"),
    "publish": _l("Published"),
    "lock": _l("Locked"),
    "correction": _l("Corrected"),
    "import": _l("Imported"),
}


def _result(result_id: int) -> Result:
    result = db.session.get(Result, result_id)
    if result is None:
        abort(404)
    return result


@bp.route("/<int:result_id>/correct", methods=["GET", "POST"])
@roles_required(Role.DIRECTOR, Role.ADMIN)
def correct(result_id: int):
    result = _result(result_id)
    offering = result.registration.offering
    deny_unless(queries.can_correct(current_user, offering))
    if result.status != ResultStatus.PUBLISHED or not (
        result.locked or services.sheet_locked(offering, result.exam_session)
    ):
        flash(_("Only a published result of a locked sheet can be corrected."), "warning")
        return redirect(url_for(".sheet", offering_id=offering.id, session=result.exam_session))
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
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        with attempt(form) as outcome:
            value = services.read_value(row, is_ua)
            services.correct_result(result, value, form.reason.data, current_user, version=version)
        if isinstance(outcome.refusal, services.VersionConflict):
            return render_conflict(
                offering,
                result.exam_session,
                [result.registration_id],
                {result.registration_id: row},
            )
        if not outcome.refused:
            flash(_("The result was corrected."), "success")
            return redirect(url_for(".history", result_id=result.id))
        status = 422
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
    learner = own_learner()
    return render_template("results/mine.html", lines=queries.learner_published_results(learner.id))
