"""The public catalogue: programmes and what they require, for anyone (candidates browse it
before and after signing up). Read-only, nothing personal, no enrolment counts."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for

from lms.catalog import queries
from lms.core.access import public

bp = Blueprint("programmes", __name__, url_prefix="/programmes")
OPEN_INTAKES = "intakes_candidate.open_intakes"


@bp.context_processor
def _open_intakes_url() -> dict:
    """Where to apply, when the intakes area is loaded (it may be disabled)."""
    return {"open_intakes_url": url_for(OPEN_INTAKES) if OPEN_INTAKES in current_app.view_functions else None}


@bp.route("/")
@public
def index():
    return render_template("catalog/public/index.html", programmes=queries.public_programmes())


@bp.route("/<code>")
@public
def show(code: str):
    version = queries.public_programme(code)
    if version is None:
        abort(404)
    tree = queries.requirement_tree(version.requirements)
    return render_template("catalog/public/show.html", code=code, version=version, tree=tree)
