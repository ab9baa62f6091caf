"""Reports area: the administrator's overview panel and the report pages (administrators and
programme directors)."""

from __future__ import annotations

from flask import Flask

from lms.accounts.models import Role
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import ADMINISTRATION
from lms.core.time import academic_year, utcnow
from lms.plugins import hookimpl
from lms.plugins.contributions import DashboardPanel, NavItem


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.reports.views import bp

    app.register_blueprint(bp)


@hookimpl
def lms_exporters() -> list:
    from lms.reports.exports import BUILT_IN

    return list(BUILT_IN)


@hookimpl
def lms_tasks() -> list:
    from lms.reports.summaries import refresh_summaries, refresh_summaries_regularly

    return [refresh_summaries, refresh_summaries_regularly]


@hookimpl
def lms_result_published(result) -> None:
    """The validation rates change: their summary is recomputed once the transaction commits."""
    from lms.reports.summaries import summaries_wanted

    summaries_wanted()


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    if user.has_role(Role.ADMIN, Role.DIRECTOR):
        return [NavItem(_l("Reports"), "reports.index", order=60, group=ADMINISTRATION)]
    return []


@hookimpl
def lms_dashboard_panels(user) -> list[DashboardPanel]:
    if Role.ADMIN not in user.roles:
        return []
    from lms.reports.queries import OVERVIEW, overview, summary_moment

    current = academic_year(utcnow().date())
    as_of = summary_moment(OVERVIEW)  # None: no summary yet, counted now
    return [
        DashboardPanel(
            _l("Overview"),
            "reports/_panel_overview.html",
            {"overview": overview(current, summarised=as_of is not None), "current_year": current, "as_of": as_of},
            order=5,
        )
    ]
