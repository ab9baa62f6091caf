"""One award: its page (the learner's own, or for whoever may award its programme), the
certificate PDF, the revocation, and the ZIP of its jury session's certificates."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from lms.accounts.models import Role
from lms.awards import certificates, services, tasks
from lms.awards.forms import RevokeForm, SessionZipForm
from lms.awards.models import Award
from lms.awards.views import bp
from lms.catalog.labels import PROGRAMME_KIND
from lms.core.access import deny_unless, login_required, roles_required
from lms.core.i18n import gettext as _
from lms.core.refusals import attempt
from lms.extensions import db


def _award(award_id: int) -> Award:
    award = db.session.get(Award, award_id)
    if award is None:
        abort(404)
    return award


def _render(award: Award, form: RevokeForm, status: int = 200):
    return render_template(
        "awards/show.html",
        award=award,
        enrolment=award.enrolment,
        version=award.enrolment.programme_version,
        learner=award.enrolment.learner,
        may_award=services.may_award(current_user, award.enrolment.programme_version.programme),
        form=form,
        kinds=PROGRAMME_KIND,
        mentions=services.MENTIONS,
        verify_url=certificates.verification_url(award),
    ), status


@bp.route("/awards/<int:award_id>")
@login_required
def show(award_id: int):
    award = _award(award_id)
    deny_unless(services.may_see(current_user, award))
    return _render(award, RevokeForm())


@bp.route("/awards/<int:award_id>/certificate.pdf")
@login_required
def certificate(award_id: int):
    award = _award(award_id)
    deny_unless(services.may_see(current_user, award))
    response = make_response(certificates.render_certificate(award))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{certificates.pdf_filename(award)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/awards/<int:award_id>/revoke", methods=["POST"])
@roles_required(Role.DIRECTOR, Role.ADMIN)
def revoke(award_id: int):
    award = _award(award_id)
    deny_unless(services.may_award(current_user, award.enrolment.programme_version.programme))
    form = RevokeForm()
    if not form.validate_on_submit():
        return _render(award, form, 422)
    with attempt(form, field="reason") as outcome:
        services.revoke_award(current_user, award, form.reason.data)
    if outcome.refused:
        return _render(award, form, 422)
    flash(_("The certificate %(number)s is revoked.", number=award.certificate_number), "success")
    return redirect(url_for(".show", award_id=award.id))


@bp.route("/awards/<int:award_id>/session.zip", methods=["POST"])
@roles_required(Role.DIRECTOR, Role.ADMIN)
def session_zip(award_id: int):
    """Queue the ZIP of the certificates of ``award_id``'s jury session (same programme, date and
    jury) and follow it on its job's page, which offers it for download once built."""
    award = _award(award_id)
    deny_unless(services.may_award(current_user, award.enrolment.programme_version.programme))
    if not SessionZipForm().validate_on_submit():
        abort(400)
    job_id = tasks.start_session_zip(award, current_user.id)  # too many: a refusal, answered 413
    back = url_for("awards.programme", code=award.enrolment.programme_version.programme.code)
    return redirect(url_for("core.job", job_id=job_id, back=back))
