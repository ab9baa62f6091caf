"""What plugins contribute to the page chrome: navigation items and home-page panels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import request, url_for
from flask_login import current_user

from lms.plugins.manager import plugin_manager


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    order: int = 100
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **self.values)

    @property
    def active(self) -> bool:
        return request.endpoint == self.endpoint


@dataclass(frozen=True)
class DashboardPanel:
    """A box of the home page: ``template`` is rendered with ``context``."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


def nav_items() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    items = [item for group in plugin_manager().hook.lms_nav_items(user=current_user) for item in group or ()]
    return sorted(items, key=lambda item: item.order)


def dashboard_panels(user: Any) -> list[DashboardPanel]:
    panels = [panel for group in plugin_manager().hook.lms_dashboard_panels(user=user) for panel in group or ()]
    return sorted(panels, key=lambda panel: panel.order)
