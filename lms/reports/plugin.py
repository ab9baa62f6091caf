"""Reports area: the administrator's overview panel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import Role
from lms.core.navigation import DashboardPanel
from lms.core.time import academic_year, utcnow
from lms.plugins import hookimpl


@hookimpl
def lms_dashboard_panels(user) -> list[DashboardPanel]:
    if Role.ADMIN not in user.roles:
        return []
    from lms.reports.queries import overview

    current = academic_year(utcnow().date())
    return [
        DashboardPanel(
            _l("Overview"),
            "reports/_panel_overview.html",
            {"overview": overview(current), "current_year": current},
            order=5,
        )
    ]
