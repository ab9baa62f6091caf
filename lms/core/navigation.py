"""What plugins contribute to the page chrome: navigation items and home-page panels."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user

from lms.plugins.contributions import DashboardPanel, NavItem, collect
from lms.plugins.manager import plugin_manager

__all__ = ["DashboardPanel", "NavItem", "dashboard_panels", "has_endpoint", "nav_items"]


def nav_items() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    items = collect(plugin_manager().hook.lms_nav_items(user=current_user), key=lambda item: item.key)
    return sorted(items, key=lambda item: item.order)


def dashboard_panels(user: Any) -> list[DashboardPanel]:
    panels = collect(plugin_manager().hook.lms_dashboard_panels(user=user), key=lambda panel: panel.key)
    return sorted(panels, key=lambda panel: panel.order)


def has_endpoint(endpoint: str) -> bool:
    """Whether ``endpoint`` exists in this app: a page links to another area only if that area is
    not disabled (``LMS_DISABLED_PLUGINS``). A Jinja global."""
    return endpoint in current_app.view_functions
