"""Timetable pages for attendance: a learner's own hour summary and attendance certificate, the
same for an administrator looking a learner up by number, and the public verification page of a
certificate's code."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, format_date
from flask_login import current_user

from lms.accounts.access import learner_or_404, own_learner
from lms.accounts.models import Learner, Role
from lms.accounts.queries import learner_by_number
from lms.core.access import public, roles_required
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import LEARNERS, MY_CLASSES, NavItem
from lms.core.refusals import attempt
from lms.core.time import academic_year, utcnow
from lms.timetable.forms.certificates import CertificatePeriodForm, LearnerLookupForm
from lms.timetable.models import AttendanceCertificate
from lms.timetable.queries import attendance as queries
from lms.timetable.services import certificates as services

bp = Blueprint("timetable_certificates", __name__)


def nav_items(user) -> list[NavItem]:
    items = []
    if Role.LEARNER in user.roles:
        items.append(NavItem(_l("My attendance"), "timetable_certificates.mine", order=45, group=MY_CLASSES))
    if Role.ADMIN in user.roles:
        items.append(NavItem(_l("Attendance certificates"), "timetable_certificates.lookup", order=85, group=LEARNERS))
    return items


def _year_arg() -> int | None:
    value = request.args.get("year", "")
    return int(value) if value.isdigit() and len(value) == 4 else None


def _default_period() -> tuple[date, date]:
    today = utcnow().date()
    return date(academic_year(today), 9, 1), today


def _render_summary(learner: Learner, form: CertificatePeriodForm, *, admin: bool, status: int = 200):
    summary = queries.learner_summary(learner.id, _year_arg(), utcnow())
    return (
        render_template(
            "timetable/certificates/summary.html",
            learner=learner,
            summary=summary,
            form=form,
            admin=admin,
            hours=queries.format_hours,
        ),
        status,
    )


def _period_form() -> CertificatePeriodForm:
    if request.method == "GET":
        start, end = _default_period()
        return CertificatePeriodForm(period_start=start, period_end=end)
    return CertificatePeriodForm()


def _certificate_response(learner: Learner, form: CertificatePeriodForm, *, admin: bool):
    """Issue the certificate of the form's period and send it as a PDF, or show the form's errors."""
    if not form.validate_on_submit():
        return _render_summary(learner, form, admin=admin, status=422)
    with attempt(form) as outcome:
        certificate = services.issue_certificate(learner, form.period_start.data, form.period_end.data, current_user)
    if outcome.refused:
        return _render_summary(learner, form, admin=admin, status=outcome.status)
    pdf = render_certificate_pdf(certificate, learner.user.locale or "fr")
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{services.pdf_filename(certificate)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def render_certificate_pdf(certificate: AttendanceCertificate, locale: str) -> bytes:
    verify_url = url_for("timetable_certificates.verify", code=certificate.code, _external=True)
    with force_locale(locale):
        html = render_template(
            "timetable/certificates/pdf.html",
            certificate=certificate,
            summary=certificate.summary,
            code=services.display_code(certificate.code),
            verify_url=verify_url,
            qr=services.qr_data_uri(verify_url),
            hours=queries.format_hours,
            day=lambda text: format_date(date.fromisoformat(text), format="long") if text else "",
            short_day=lambda text: format_date(date.fromisoformat(text), format="medium") if text else "",
            issued_on=format_date(certificate.issued_at.date(), format="long"),
            locale=locale,
        )
    return services.render_pdf(html, base_url=request.url_root)


# --- the learner -------------------------------------------------------------------------------------


@bp.route("/attendance/mine")
@roles_required(Role.LEARNER)
def mine():
    return _render_summary(own_learner(), _period_form(), admin=False)


@bp.route("/attendance/mine/certificate", methods=["POST"])
@roles_required(Role.LEARNER)
def my_certificate():
    return _certificate_response(own_learner(), _period_form(), admin=False)


# --- an administrator, for any learner -----------------------------------------------------------------


@bp.route("/attendance/learners")
@roles_required(Role.ADMIN)
def lookup():
    form = LearnerLookupForm(request.args)
    status = 200
    if request.args and form.validate():
        learner = learner_by_number(form.number.data)
        if learner is not None:
            return redirect(url_for(".learner", number=learner.learner_number))
        form.number.errors = [_("No learner has this number.")]
        status = 404
    elif request.args:
        status = 422
    return render_template("timetable/certificates/lookup.html", form=form), status


@bp.route("/attendance/learners/<number>")
@roles_required(Role.ADMIN)
def learner(number: str):
    return _render_summary(learner_or_404(number), _period_form(), admin=True)


@bp.route("/attendance/learners/<number>/certificate", methods=["POST"])
@roles_required(Role.ADMIN)
def learner_certificate(number: str):
    return _certificate_response(learner_or_404(number), _period_form(), admin=True)


# --- public verification -------------------------------------------------------------------------------


@bp.route("/verify/attendance/<code>")
@public
def verify(code: str):
    certificate = services.certificate_by_code(code)
    if certificate is None:
        abort(404)
    return render_template(
        "timetable/certificates/verify.html",
        certificate=certificate,
        name=certificate.summary.get("learner", {}).get("name", ""),
        code=services.display_code(certificate.code),
        period_start=format_date(certificate.period_start, format="long"),
        period_end=format_date(certificate.period_end, format="long"),
        issued_on=format_date(certificate.issued_at.date(), format="long"),
        attended=queries.format_hours(services.attended_minutes(certificate.summary)),
    )
