"""JSON API, version 1. Errors answer JSON (see lms.core.errors); login is by session."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from lms.core.access import login_required

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.route("/me")
@login_required
def me():
    learner = current_user.learner
    return jsonify(
        id=current_user.id,
        email=current_user.email,
        name=current_user.name,
        locale=current_user.locale,
        roles=sorted(current_user.roles),
        learner_number=learner.learner_number if learner else None,
    )
