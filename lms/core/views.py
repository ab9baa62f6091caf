"""Home page (panels contributed by each area for the user's roles), health check, and the public
verification page of every document lms issues (:mod:`lms.core.verification`): valid or revoked,
what was issued, to whom, when, and the few facts its kind discloses. No login; 404 for an unknown
code. It lives in core so that any area's documents verify whichever areas are enabled."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, render_template, request, send_file
from flask_babel import format_date
from flask_login import current_user

from lms.core import jobs, verification
from lms.core.access import login_required, public
from lms.core.models import BackgroundJob, JobStatus
from lms.core.navigation import dashboard_panels
from lms.core.security import local_path
from lms.extensions import db

bp = Blueprint("core", __name__)


@bp.route("/")
@login_required
def home():
    return render_template("core/home.html", panels=dashboard_panels(current_user))


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/verify/<code>")
@public
def verify(code: str):
    document = verification.lookup(code)
    described = verification.describe(document) if document is not None else None
    if described is None:
        abort(404)
    response = render_template(
        "core/verify.html",
        document=described,
        issued_on=format_date(document.issued_at.date(), format="long"),
        revoked_on=format_date(described.revoked_on.date(), format="long") if described.revoked_on else None,
    )
    return response, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


# --- jobs: work on the task queue someone follows (lms.core.jobs) ------------------------------


def _own_job(job_id: int) -> BackgroundJob:
    job = db.session.get(BackgroundJob, job_id)
    if job is None or job.created_by_id != current_user.id:
        abort(404)  # someone else's job is nobody's business: not even its existence
    return job


@bp.route("/jobs/<int:job_id>")
@login_required
def job(job_id: int):
    job = _own_job(job_id)
    back = request.args.get("back", "")
    return render_template("core/job.html", job=job, status=jobs.status_of(job), back=local_path(back) or "")


@bp.route("/jobs/<int:job_id>/status")
@login_required
def job_status(job_id: int):
    return jsonify(jobs.status_of(_own_job(job_id))), 200, {"Cache-Control": "no-store"}


@bp.route("/jobs/<int:job_id>/download")
@login_required
def job_download(job_id: int):
    job = _own_job(job_id)
    if job.status is not JobStatus.DONE or not job.output_name:
        abort(404)
    return send_file(
        io.BytesIO(job.output or b""),
        mimetype=job.output_type or "application/octet-stream",
        as_attachment=True,
        download_name=job.output_name,
    )
