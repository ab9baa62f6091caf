"""Progress area: the learner's panel of the home page, the learner record for directors and
administrators, and the ``audit`` / ``rank`` / ``progress`` commands."""

from __future__ import annotations

from flask import Flask

from lms.accounts.models import Role
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import LEARNERS
from lms.plugins import hookimpl
from lms.plugins.contributions import DashboardPanel, NavItem


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.progress.views import blueprints

    for blueprint in blueprints():
        app.register_blueprint(blueprint)


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    from lms.progress.views import nav_items

    items = (
        [NavItem(_l("Learners"), "learners.search", order=40, group=LEARNERS)]
        if user.has_role(Role.DIRECTOR, Role.ADMIN)
        else []
    )
    return items + nav_items(user)


@hookimpl
def lms_dashboard_panels(user) -> list[DashboardPanel]:
    if Role.LEARNER not in user.roles or user.learner is None:
        return []
    from lms.progress import cockpit, queries

    learner = user.learner
    return [
        DashboardPanel(
            _l("My programmes"),
            "progress/_panel_programmes.html",
            {"programmes": cockpit.programmes_with_figures(learner), "learner": learner},
            order=10,
        ),
        DashboardPanel(
            _l("My units"),
            "progress/_panel_units.html",
            {"units": queries.learner_units(learner), "credits": queries.learner_credits(learner)},
            order=20,
        ),
    ]


@hookimpl
def lms_cli(group) -> None:
    from lms.progress.cli import audit_command, progress_group, rank_command
    from lms.progress.study_plans import notify_windows_command

    group.add_command(audit_command)
    group.add_command(rank_command)
    if "notify-windows" not in progress_group.commands:
        progress_group.add_command(notify_windows_command)
    group.add_command(progress_group)


@hookimpl
def lms_holdings_changed(learner_ids, reason) -> None:
    """Re-audit the learners whose holdings changed, in the same transaction, 500 at a time;
    everyone (the catalogue changed), or more than ``QUEUE_FROM`` learners (a bulk import), on
    the task queue, in batches, once the change has committed."""
    from lms.progress import tasks
    from lms.progress.services import refresh_in_batches

    if learner_ids is None:
        tasks.start_reaudit(reason, _current_user_id())
    elif len(learner_ids) > tasks.QUEUE_FROM:
        tasks.start_reaudit_of(learner_ids, reason, _current_user_id())
    else:
        refresh_in_batches(learner_ids)


def _current_user_id() -> int | None:
    from flask import has_request_context
    from flask_login import current_user

    return current_user.id if has_request_context() and current_user.is_authenticated else None


@hookimpl
def lms_tasks() -> list:
    from lms.progress.tasks import reaudit_batch, reaudit_learners, registration_window_notices

    return [reaudit_batch, reaudit_learners, registration_window_notices]


@hookimpl
def lms_progress_refreshed(records, catalog, as_of, bulk) -> None:
    """Tell learners when a certificate becomes complete, and re-check their saved study plans."""
    from lms.progress import claims, study_plans

    claims.lms_progress_refreshed(records=records, catalog=catalog, as_of=as_of, bulk=bulk)
    study_plans.lms_progress_refreshed(records=records, catalog=catalog, as_of=as_of, bulk=bulk)
