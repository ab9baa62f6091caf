"""Timetable pages for administrators, one module per subject: centres, offerings (list, create,
edit, copy a year) and the meetings of an offering (add, edit, cancel, restore, generate)."""

from __future__ import annotations

from flask import Blueprint, abort

from lms.accounts.models import Role
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import TEACHING_OFFER, NavItem
from lms.extensions import db

bp = Blueprint("timetable_admin", __name__, url_prefix="/admin/timetable")


def nav_items(user) -> list[NavItem]:
    if not user.has_role(Role.ADMIN):
        return []
    return [
        NavItem(_l("Offerings"), "timetable_admin.offerings", order=53, group=TEACHING_OFFER),
        NavItem(_l("Centres"), "timetable_admin.centres", order=54, group=TEACHING_OFFER),
    ]


def get_or_404(model, ident: int):
    found = db.session.get(model, ident)
    if found is None:
        abort(404)
    return found


from lms.timetable.views.admin import centres, meetings, offerings  # noqa: E402, F401 - registers the routes (needs bp above)
