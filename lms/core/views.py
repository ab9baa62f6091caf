"""Home page (panels contributed by each area for the user's roles), health check, and the public
verification page of every document lms issues (:mod:`lms.core.verification`): valid or revoked,
what was issued, to whom, when, and the few facts its kind discloses. No login; 404 for an unknown
code. It lives in core so that any area's documents verify whichever areas are enabled."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, render_template
from flask_babel import format_date
from flask_login import current_user

from lms.core import verification
from lms.core.access import login_required, public
from lms.core.navigation import dashboard_panels
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
