"""Notifications area: the page, the navigation entry with the unread count, built-in channels."""

from __future__ import annotations

from flask import Flask

from lms.core.i18n import lazy_gettext as _l
from lms.core.i18n import lazy_ngettext as _nl
from lms.plugins import hookimpl
from lms.plugins.contributions import NavItem


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.notifications.views import bp

    app.register_blueprint(bp)


@hookimpl
def lms_tasks() -> list:
    from lms.notifications.channels import send_email

    return [send_email]


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    from lms.notifications.services import unread_count

    unread = unread_count(user.id)
    label = (
        _nl("Notifications (%(num)d unread)", "Notifications (%(num)d unread)", unread)
        if unread
        else _l("Notifications")
    )
    return [NavItem(label, "notifications.index", order=800)]


@hookimpl
def lms_notification_channels() -> list:
    from lms.notifications.channels import EmailChannel, InAppChannel

    return [InAppChannel(), EmailChannel()]
