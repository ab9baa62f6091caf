"""Administrators' enrolments, reached from the learner record: enrol an existing learner directly
(a certificate that needs no application), suspend, resume or withdraw an enrolment (its history
shows every change, when and by whom), and move an enrolment to a newer version of the same
programme after previewing the audit before and after."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import learner_or_404
from lms.accounts.models import Learner, Role
from lms.catalog.models import ProgrammeVersion
from lms.core.access import roles_required
from lms.core.i18n import gettext as _
from lms.core.navigation import NavItem
from lms.core.refusals import attempt
from lms.core.time import utcnow
from lms.extensions import db
from lms.intakes import queries
from lms.intakes.forms import EnrolForm, MoveForm, StatusForm
from lms.intakes.labels import enrolment_status_label
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.intakes.services import enrolments as services
from lms.intakes.services import lifecycle
from lms.intakes.services.lifecycle import STAFF_CHANGES

bp = Blueprint("intakes_enrolments", __name__, url_prefix="/learners")


def nav_items(user) -> list[NavItem]:
    return []


def _record_url(learner: Learner) -> str:
    return url_for("learners.record", number=learner.learner_number)


@bp.route("/<number>/enrol", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def enrol(number: str):
    learner = learner_or_404(number)
    form = _enrol_form()
    if form.validate_on_submit():
        version = db.session.get(ProgrammeVersion, form.programme_version_id.data or 0)
        if version is None:
            form.programme_version_id.errors = [_("Choose a programme version.")]
        else:
            with attempt(form) as outcome:
                services.enrol_directly(learner, version, utcnow().date(), current_user)
            if not outcome.refused:
                flash(
                    _(
                        "%(name)s is enrolled on %(code)s %(version)s.",
                        name=learner.user.name,
                        code=version.programme.code,
                        version=version.version,
                    ),
                    "success",
                )
                return redirect(_record_url(learner), code=303)
    status = 422 if form.errors or form.form_errors else 200
    return _enrol_page(learner, form), status


def _enrol_form() -> EnrolForm:
    form = EnrolForm()
    form.programme_version_id.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(str(v.id), f"{v.programme.code} {v.version} — {v.title}")
        for v in queries.programme_version_choices()
    ]
    return form


def _status_form(enrolment: Enrolment) -> StatusForm:
    form = StatusForm(prefix=f"enrolment-{enrolment.id}")
    form.to_status.choices = [
        SelectChoice(status.value, enrolment_status_label(status)) for status in STAFF_CHANGES.get(enrolment.status, ())
    ]
    return form


def _enrol_page(learner: Learner, form: EnrolForm, status_forms: dict[int, StatusForm] | None = None) -> str:
    enrolments = queries.learner_enrolments(learner)
    forms = {e.id: _status_form(e) for e in enrolments if e.status in STAFF_CHANGES}
    forms.update({k: v for k, v in (status_forms or {}).items() if k in forms})
    return render_template("intakes/enrol.html", learner=learner, form=form, enrolments=enrolments, status_forms=forms)


@bp.route("/<number>/enrolments/<int:enrolment_id>/status", methods=["POST"])
@roles_required(Role.ADMIN)
def change_status(number: str, enrolment_id: int):
    """Suspend, resume or withdraw an enrolment from the enrolments page (the history keeps it)."""
    learner = learner_or_404(number)
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.learner_id != learner.id:
        abort(404)
    form = _status_form(enrolment)
    offered = form.to_status.choices
    # Any status is accepted by the form so that a refused change says why (the lifecycle decides).
    form.to_status.choices = [SelectChoice(s.value, enrolment_status_label(s)) for s in EnrolmentStatus]
    status = 422
    if form.validate_on_submit():
        to = EnrolmentStatus(form.to_status.data)
        with attempt(form, field="to_status") as outcome:
            lifecycle.change_status(enrolment, to, utcnow().date(), current_user, form.note.data)
        if not outcome.refused:
            flash(
                _(
                    "The enrolment on %(code)s %(version)s now has the status “%(status)s”.",
                    code=enrolment.programme_version.programme.code,
                    version=enrolment.programme_version.version,
                    status=enrolment_status_label(to),
                ),
                "success",
            )
            return redirect(url_for("intakes_enrolments.enrol", number=learner.learner_number), code=303)
        status = outcome.status
    form.to_status.choices = offered
    return _enrol_page(learner, _enrol_form(), {enrolment.id: form}), status


@bp.route("/<number>/enrolments/<int:enrolment_id>/move", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def move(number: str, enrolment_id: int):
    learner = learner_or_404(number)
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.learner_id != learner.id:
        abort(404)
    targets = services.newer_versions(enrolment)
    form = MoveForm()
    form.programme_version_id.choices = [
        SelectChoice(str(v.id), f"{v.programme.code} {v.version} — {v.title}") for v in targets
    ]
    preview = None
    status = 200
    if form.validate_on_submit():
        version = next((v for v in targets if v.id == form.programme_version_id.data), None)
        if version is None:
            form.programme_version_id.errors = [_("Choose a newer version of the same programme.")]
        else:
            today = utcnow().date()
            with attempt(form) as outcome:
                if form.confirm.data:
                    services.move_enrolment(enrolment, version, today, current_user)
                else:
                    preview = services.move_preview(enrolment, version, today)
            if form.confirm.data and not outcome.refused:
                flash(
                    _(
                        "The enrolment has moved to %(code)s %(version)s.",
                        code=version.programme.code,
                        version=version.version,
                    ),
                    "success",
                )
                return redirect(_record_url(learner), code=303)
    if form.errors or form.form_errors or request.method == "POST" and preview is None:
        status = 422
    return render_template(
        "intakes/move.html", learner=learner, enrolment=enrolment, form=form, targets=targets, preview=preview
    ), status
