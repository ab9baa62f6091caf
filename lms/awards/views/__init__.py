"""Pages of the awards area: juries (eligibility list and decisions, per programme), awards
(detail, certificate PDF, revocation, ZIP of a jury session); their public verification page is
core's ``/verify/<code>``. One blueprint, ``awards``."""

from __future__ import annotations

from flask import Blueprint

from lms.accounts.models import Role
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import LEARNERS, MY_STUDIES, NavItem

bp = Blueprint("awards", __name__)


@bp.context_processor
def _helpers() -> dict:
    from flask_babel import format_date

    return {"long_date": lambda day: format_date(day, format="long") if day else ""}


def blueprints() -> list[Blueprint]:
    return [bp]


def nav_items(user) -> list[NavItem]:
    if user.has_role(Role.DIRECTOR, Role.ADMIN):
        return [NavItem(_l("Juries and awards"), "awards.index", order=70, group=LEARNERS)]
    if Role.LEARNER in user.roles:
        return [NavItem(_l("My diplomas"), "awards.index", order=48, group=MY_STUDIES)]
    return []


from lms.awards.views import awards, juries  # noqa: E402, F401 - registers the routes (needs bp above)
