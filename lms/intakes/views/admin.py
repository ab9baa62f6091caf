"""Reviewers' pages: the intakes (administrators create and edit them; directors see those of the
programmes they direct), the review queue of an intake with its filters and bulk decisions, and
one application with its documents and the decision form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.accounts.models import Role
from lms.core.access import deny_unless, roles_required
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.i18n import ngettext
from lms.core.navigation import LEARNERS, NavItem
from lms.core.refusals import attempt
from lms.core.time import academic_year, utcnow
from lms.intakes import queries
from lms.intakes.forms import DecisionForm, IntakeForm, QueueFilterForm
from lms.intakes.models import Application, ApplicationStatus, Intake
from lms.intakes.services import applications as services
from lms.intakes.services import intakes as intake_services
from lms.timetable.models import Modality

bp = Blueprint("intakes_admin", __name__, url_prefix="/admin/intakes")
REVIEWERS = (Role.ADMIN, Role.DIRECTOR)


def nav_items(user) -> list[NavItem]:
    if not user.has_role(*REVIEWERS):
        return []
    return [NavItem(_l("Intakes"), "intakes_admin.index", order=58, group=LEARNERS)]


def _intake(intake_id: int) -> Intake:
    intake = queries.get_intake(intake_id)
    if intake is None:
        abort(404)
    return intake


# --- intakes ---------------------------------------------------------------------------------------


@bp.route("/")
@roles_required(*REVIEWERS)
def index():
    return render_template(
        "intakes/admin/index.html",
        found=queries.reviewable_intakes(current_user, _page_arg()),
        is_admin=current_user.has_role(Role.ADMIN),
    )


def _page_arg() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and len(value) < 7 else 1


def _intake_form(intake: Intake | None) -> IntakeForm:
    form = IntakeForm(obj=intake)
    if intake is None and request.method == "GET":
        form.academic_year.data = academic_year(utcnow().date())
    if intake is not None and request.method == "GET":
        form.modality.data = intake.modality.value
    form.programme_version_id.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(str(version.id), f"{version.programme.code} {version.version} — {version.title}")
        for version in queries.programme_version_choices()
    ]
    form.centre_id.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(str(centre.id), f"{centre.code} — {centre.name}") for centre in queries.centre_choices()
    ]
    return form


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    return _intake_page(None)


@bp.route("/<int:intake_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(intake_id: int):
    return _intake_page(_intake(intake_id))


def _intake_page(intake: Intake | None):
    form = _intake_form(intake)
    if form.validate_on_submit():
        data = intake_services.IntakeInput(
            programme_version_id=form.programme_version_id.data,
            academic_year=form.academic_year.data,
            centre_id=form.centre_id.data,
            modality=Modality(form.modality.data),
            capacity=form.capacity.data,
            applications_open_on=form.applications_open_on.data,
            applications_close_on=form.applications_close_on.data,
            starts_on=form.starts_on.data,
        )
        with attempt(form) as outcome:
            saved = intake_services.save_intake(intake, data)
        if not outcome.refused:
            flash(_("Intake saved."), "success")
            return redirect(url_for(".queue", intake_id=saved.id), code=303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("intakes/admin/intake_form.html", form=form, intake=intake), status


# --- review queue ----------------------------------------------------------------------------------


def _queue_page(
    intake: Intake, errors: list[str] | None = None, status: int = 200, decision: DecisionForm | None = None
):
    filters = QueueFilterForm(request.args)
    chosen_status = (
        ApplicationStatus(filters.status.data) if filters.status.data in {s.value for s in ApplicationStatus} else None
    )
    flagged = {"yes": True, "no": False}.get(filters.flagged.data or "")
    lines = queries.review_queue(intake, chosen_status, flagged)
    counts = queries.status_counts([intake.id])[intake.id]
    left = services.places_left(intake)
    waiting = services.oldest_waitlisted(intake) if left else None
    return render_template(
        "intakes/admin/queue.html",
        intake=intake,
        lines=lines,
        filters=filters,
        counts=counts,
        accepted=counts.get(ApplicationStatus.ACCEPTED, 0),
        places_left=left,
        next_waitlisted=waiting,
        decision=decision or DecisionForm(prefix="bulk"),
        errors=errors or [],
        is_admin=current_user.has_role(Role.ADMIN),
    ), status


@bp.route("/<int:intake_id>")
@roles_required(*REVIEWERS)
def queue(intake_id: int):
    intake = _intake(intake_id)
    deny_unless(services.may_review(current_user, intake))
    return _queue_page(intake)


def _decide(applications: list[Application], form: DecisionForm) -> str | None:
    """Record the decision; an error message (nothing written) or None."""
    with attempt() as outcome:
        services.decide(
            current_user, applications, services.Decision(form.decision.data), form.reason.data, utcnow().date()
        )
    return str(outcome.refusal) if outcome.refused else None


def _decided_message(form: DecisionForm, count: int) -> str:
    decision = services.Decision(form.decision.data)
    if decision is services.Decision.ACCEPT:
        return ngettext(
            "%(num)d application accepted: the learner is enrolled.",
            "%(num)d applications accepted: the learners are enrolled.",
            count,
        )
    if decision is services.Decision.WAITLIST:
        return ngettext(
            "%(num)d application put on the waiting list.", "%(num)d applications put on the waiting list.", count
        )
    return ngettext("%(num)d application rejected.", "%(num)d applications rejected.", count)


@bp.route("/<int:intake_id>/decide", methods=["POST"])
@roles_required(*REVIEWERS)
def decide_many(intake_id: int):
    intake = _intake(intake_id)
    deny_unless(services.may_review(current_user, intake))
    form = DecisionForm(prefix="bulk")
    if not form.validate_on_submit():
        return _queue_page(intake, [str(e) for errors in form.errors.values() for e in errors], 422, form)
    ids = set(request.form.getlist("application_ids", type=int))
    applications = [line.application for line in queries.review_queue(intake) if line.application.id in ids]
    if not applications or len(applications) != len(ids):
        return _queue_page(intake, [_("Choose at least one application of this intake.")], 422, form)
    error = _decide(applications, form)
    if error:
        return _queue_page(intake, [error], 422, form)
    flash(_decided_message(form, len(applications)), "success")
    return redirect(url_for(".queue", intake_id=intake.id), code=303)


def _application(application_id: int) -> Application:
    application = queries.get_application(application_id)
    if application is None or application.status is ApplicationStatus.DRAFT:
        abort(404)  # a draft is the candidate's own business until they submit it
    deny_unless(services.may_review(current_user, application.intake))
    return application


def _review_page(application: Application, form: DecisionForm, errors: list[str] | None = None, status: int = 200):
    intake = application.intake
    return render_template(
        "intakes/admin/review.html",
        application=application,
        intake=intake,
        form=form,
        flagged=services.is_flagged(application),
        errors=errors or [],
        places_left=services.places_left(intake),
        decidable=application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED),
    ), status


@bp.route("/applications/<int:application_id>")
@roles_required(*REVIEWERS)
def review(application_id: int):
    return _review_page(_application(application_id), DecisionForm())


@bp.route("/applications/<int:application_id>/decide", methods=["POST"])
@roles_required(*REVIEWERS)
def decide_one(application_id: int):
    application = _application(application_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _review_page(application, form, status=422)
    error = _decide([application], form)
    if error:
        return _review_page(queries.get_application(application_id), form, [error], 422)
    flash(_decided_message(form, 1), "success")
    return redirect(url_for(".queue", intake_id=application.intake_id), code=303)
