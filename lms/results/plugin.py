"""Results area: grade sheets, corrections, history and the learner's published results."""

from __future__ import annotations

from flask import Flask

from lms.accounts.models import Role
from lms.core.i18n import lazy_gettext as _l
from lms.core.navigation import MY_STUDIES
from lms.plugins import hookimpl
from lms.plugins.contributions import NavItem


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.results.views import bp

    app.register_blueprint(bp)


@hookimpl
def lms_cli(group) -> None:
    from lms.results.cli import results

    group.add_command(results)


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    items = []
    if user.has_role(Role.TUTOR):
        items.append(NavItem(_l("My offerings"), "results.my_offerings", order=30))
    if user.has_role(Role.LEARNER) and user.learner is not None:
        items.append(NavItem(_l("My results"), "results.mine", order=20, group=MY_STUDIES))
    return items


@hookimpl
def lms_result_published(result) -> None:
    """Tell the learner, in the app (and by e-mail when a server is configured)."""
    from flask import has_request_context, url_for

    from lms.notifications.services import notify

    offering = result.registration.offering
    notify(
        [result.registration.learner.user],
        "result_published",
        _l(
            "New result: %(code)s, session %(session)d",
            code=offering.unit.code,
            session=result.exam_session,
        ),
        _l("Your result for %(title)s is published.", title=offering.unit.title),
        link=url_for("results.mine") if has_request_context() else None,
    )
