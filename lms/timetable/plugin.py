"""Timetable area: the tutor's panel of the home page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role
from lms.core.navigation import DashboardPanel
from lms.core.time import academic_year, utcnow
from lms.plugins import hookimpl


@hookimpl
def lms_dashboard_panels(user) -> list[DashboardPanel]:
    if Role.TUTOR not in user.roles:
        return []
    from lms.timetable.queries import tutor_offerings

    current = academic_year(utcnow().date())
    return [
        DashboardPanel(
            _l("My offerings"),
            "timetable/_panel_tutor.html",
            {"offerings": tutor_offerings(user.id, from_year=current - 1), "current_year": current},
            order=30,
        )
    ]
