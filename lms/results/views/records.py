"""A result's life after the sheet: corrections after the jury, its history, the learner's own results."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from lms.accounts.access import own_learner
from lms.accounts.models import Role
from lms.core.access import deny_unless, roles_required
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.extensions import db
from lms.results import queries, services
from lms.results.models import Result, ResultStatus
from lms.results.views import bp
from lms.results.views.pages import correction_page

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
    return correction_page(result, offering, url_for(".history", result_id=result.id))


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
