"""Catalogue pages: the programmes and their versions."""

from __future__ import annotations

from flask import Blueprint, render_template

from lms.accounts.models import Role
from lms.catalog import queries
from lms.core.access import roles_required

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@bp.route("/programmes")
@roles_required(Role.ADMIN, Role.DIRECTOR)
def programmes():
    return render_template(
        "catalog/programmes.html", lines=queries.programme_lines(), unit_count=queries.unit_count()
    )
