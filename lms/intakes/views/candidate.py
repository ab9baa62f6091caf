"""Candidates: creating an account to apply, the open intakes, their applications (draft, PDF
documents, submission, withdrawal, status) and downloading their documents."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user

from lms.accounts import services as accounts
from lms.accounts.models import Funding, Role
from lms.core.access import login_required, public
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import CATALOGUE, NavItem
from lms.core.refusals import attempt
from lms.core.time import utcnow
from lms.extensions import limiter
from lms.intakes import documents, queries
from lms.intakes.forms import ActionForm, ApplicationForm, SignupForm
from lms.intakes.models import Application, ApplicationStatus, Intake
from lms.intakes.services import applications as services
from lms.intakes.services.intakes import is_open

bp = Blueprint("intakes_candidate", __name__)


def nav_items(user) -> list[NavItem]:
    if user.has_role(Role.ADMIN, Role.DIRECTOR, Role.TUTOR):
        return []
    return [NavItem(_l("Apply"), "intakes_candidate.open_intakes", order=70, group=CATALOGUE)]


def _signup_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _signup_address_limit() -> str:
    return current_app.config["PASSWORD_LINK_RATE_LIMIT"]


def _signup_address() -> str:
    """Sign-ups with one address, whoever sends them: nobody floods a mailbox with our e-mails."""
    return "signup:" + accounts.normalise_email(request.form.get("email", ""))


def _today():
    return utcnow().date()


def _own_application(application_id: int) -> Application:
    """The current user's application, else 404: nobody learns that another one exists."""
    application = queries.get_application(application_id)
    if application is None or application.candidate_id != current_user.id:
        abort(404)
    return application


@bp.route("/signup", methods=["GET", "POST"])
@public
@limiter.limit(_signup_limit, methods=["POST"])
@limiter.limit(_signup_address_limit, methods=["POST"], key_func=_signup_address)
def signup():
    """The same answer whether the address is new or already has an account (nobody learns
    which addresses are known): "check your mail"."""
    if current_user.is_authenticated:
        return redirect(url_for(".open_intakes"))
    form = SignupForm()
    if form.validate_on_submit():
        locale = session.get("locale")
        with attempt(form, field="email") as outcome:
            services.sign_up(
                form.name.data, form.email.data, locale if locale in current_app.config["LANGUAGES"] else "fr"
            )
        if not outcome.refused:
            return render_template("intakes/signup_sent.html")
    status = 422 if form.errors else 200
    return render_template("intakes/signup.html", form=form), status


@bp.route("/intakes")
@public
def open_intakes():
    """Anyone browses the open intakes, before or after signing up; a logged-in person also sees
    their own application to each."""
    today = _today()
    return render_template(
        "intakes/open.html",
        intakes=queries.open_intakes(today),
        mine=queries.application_by_intake(current_user) if current_user.is_authenticated else {},
        form=ActionForm(),
        programmes_url=url_for("programmes.index") if "programmes.index" in current_app.view_functions else None,
    )


@bp.route("/applications")
@login_required
def my_applications():
    return render_template("intakes/mine.html", applications=queries.applications_of(current_user))


def _application_input(form: ApplicationForm) -> services.ApplicationInput:
    return services.ApplicationInput(
        prior_level=form.prior_level.data,
        diplomas=form.diplomas.data,
        current_job=form.current_job.data,
        years_experience=form.years_experience.data,
        funding=Funding(form.funding.data) if form.funding.data else None,
        vapp_requested=bool(form.vapp_requested.data),
    )


def _uploaded(form: ApplicationForm) -> tuple[str, bytes] | None:
    upload = form.document.data
    if upload is None or not getattr(upload, "filename", None):
        return None
    limit = documents.max_bytes()
    data = upload.stream.read(limit + 1)
    return upload.filename, data


def _save(application: Application, form: ApplicationForm) -> bool:
    """Apply the form to the draft; True when saved. Refusals land on the form."""
    with attempt(form) as outcome:
        services.save_application(application, _application_input(form))
        upload = _uploaded(form)
        if upload is not None:
            documents.add_document(application, *upload)
        if form.submit_application.data:
            services.submit_application(application, _today())
    return not outcome.refused


def _after_save(application: Application, form: ApplicationForm):
    if form.submit_application.data:
        flash(
            _("Your application has been submitted. You will be told of the decision here and by notification."),
            "success",
        )
    else:
        flash(_("Your draft has been saved. Submit it when it is complete."), "success")
    return redirect(url_for(".application", application_id=application.id), code=303)


def _form_page(intake: Intake, form: ApplicationForm, application: Application | None, status: int = 200):
    return render_template(
        "intakes/apply.html",
        intake=intake,
        form=form,
        application=application,
        action=ActionForm(),
        max_kb=documents.max_bytes() // 1024,
        open_now=is_open(intake, _today()),
    ), status


@bp.route("/intakes/<int:intake_id>/apply", methods=["GET", "POST"])
@login_required
def apply(intake_id: int):
    intake = queries.get_intake(intake_id)
    if intake is None:
        abort(404)
    existing = queries.application_by_intake(current_user).get(intake.id)
    if existing is not None:
        return redirect(url_for(".application", application_id=existing.id))
    form = ApplicationForm()
    if not is_open(intake, _today()):
        form.form_errors.append(_("Applications to this intake are closed."))
        return _form_page(intake, form, None, 200 if request.method == "GET" else 422)
    if form.validate_on_submit():
        application = services.start_application(current_user, intake, _today())
        if _save(application, form):
            return _after_save(application, form)
    return _form_page(intake, form, None, 422 if form.errors or form.form_errors else 200)


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@login_required
def application(application_id: int):
    application = _own_application(application_id)
    if application.status is not ApplicationStatus.DRAFT:
        if request.method == "POST":
            abort(409)
        return render_template(
            "intakes/status.html",
            application=application,
            action=ActionForm(),
            flagged=services.is_flagged(application),
        )
    form = ApplicationForm(obj=None if request.method == "POST" else application)
    if request.method == "GET":
        form.funding.data = application.funding.value if application.funding else ""
    if form.validate_on_submit() and _save(application, form):
        return _after_save(application, form)
    return _form_page(application.intake, form, application, 422 if form.errors or form.form_errors else 200)


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@login_required
def withdraw(application_id: int):
    application = _own_application(application_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt(flash="danger") as outcome:
        services.withdraw_application(application, _today())
    if outcome.refused:
        return redirect(url_for(".application", application_id=application.id), code=303)
    flash(_("Your application has been withdrawn."), "info")
    return redirect(url_for(".application", application_id=application.id), code=303)


@bp.route("/applications/<int:application_id>/documents/<int:document_id>/delete", methods=["POST"])
@login_required
def delete_document(application_id: int, document_id: int):
    application = _own_application(application_id)
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    if application.status is not ApplicationStatus.DRAFT or not ActionForm().validate_on_submit():
        abort(409 if application.status is not ApplicationStatus.DRAFT else 400)
    documents.remove_document(document)
    flash(_("The document %(name)s has been removed.", name=document.filename), "info")
    return redirect(url_for(".application", application_id=application.id), code=303)


@bp.route("/applications/<int:application_id>/documents/<int:document_id>")
@login_required
def document(application_id: int, document_id: int):
    """The applicant and, once it is submitted, the reviewers of the intake download a document;
    anyone else gets 404."""
    application = queries.get_application(application_id)
    if application is None or not (
        application.candidate_id == current_user.id
        or (application.status is not ApplicationStatus.DRAFT and services.may_review(current_user, application.intake))
    ):
        abort(404)
    found = next((d for d in application.documents if d.id == document_id), None)
    content = documents.content_of(found) if found is not None else None
    if content is None:
        abort(404)
    response = send_file(
        io.BytesIO(content), mimetype="application/pdf", as_attachment=True, download_name=found.filename, max_age=0
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
