"""What plugins contribute to the page chrome: navigation items and home-page panels.

The navigation bar is grouped by what people do: an item that names a :class:`NavGroup` is shown
in that group's menu, so each role sees about six top-level entries (the shared groups below; a
plugin may bring its own). The items of :data:`ACCOUNT` are shown apart, beside the user's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g
from flask_login import current_user

from lms.core.i18n import lazy_gettext as _l
from lms.plugins.contributions import DashboardPanel, NavGroup, NavItem, collect
from lms.plugins.manager import plugin_manager

__all__ = [
    "ACCOUNT",
    "ADMINISTRATION",
    "CATALOGUE",
    "LEARNERS",
    "MY_STUDIES",
    "MY_CLASSES",
    "TEACHING_OFFER",
    "DashboardPanel",
    "NavBar",
    "NavGroup",
    "NavItem",
    "NavMenu",
    "dashboard_panels",
    "fold",
    "has_endpoint",
    "nav_bar",
    "nav_items",
]

# A learner's: their record, their week, and what they may still sign up for.
MY_STUDIES = NavGroup("my-studies", _l("My studies"), order=10)
MY_CLASSES = NavGroup("my-classes", _l("My classes"), order=40)
CATALOGUE = NavGroup("catalogue", _l("Catalogue"), order=50)
# The staff's: following learners, building the offer, running the institution.
LEARNERS = NavGroup("learners", _l("Learner follow-up"), order=40)
TEACHING_OFFER = NavGroup("teaching-offer", _l("Teaching offer"), order=50)
ADMINISTRATION = NavGroup("administration", _l("Administration"), order=60)
# Everyone's own account, shown beside their name.
ACCOUNT = NavGroup("account", _l("My account"), order=900)


@dataclass(frozen=True)
class NavMenu:
    """A disclosure menu of the bar: the items of one group shown to this user, by ``order``."""

    group: NavGroup
    items: list[NavItem]

    @property
    def label(self) -> str:
        return self.group.label

    @property
    def order(self) -> int:
        return self.group.order

    @property
    def key(self) -> str:
        return self.group.key

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)


@dataclass(frozen=True)
class NavBar:
    """The bar as shown: top-level ``entries`` (items and menus) and the ``account`` entries."""

    entries: list[NavItem | NavMenu]
    account: list[NavItem | NavMenu]


def nav_items() -> list[NavItem]:
    """Every item contributed for the current user, by ``order`` (groups ignored).

    Asked of the plugins once per request (the layout and a page may both want them), for the
    user object itself rather than the ``current_user`` proxy; asked again if the request's user
    or their roles change (a login, a role granted)."""
    if not current_user.is_authenticated:
        return []
    user = current_user._get_current_object()
    key = (user, getattr(user, "roles", None))
    cached = g.get("_lms_nav_items")
    if cached is not None and cached[0][0] is user and cached[0][1] == key[1]:
        return list(cached[1])
    items = collect(plugin_manager().hook.lms_nav_items(user=user), key=lambda item: item.key)
    items = sorted(items, key=lambda item: item.order)
    g._lms_nav_items = (key, items)
    return list(items)


def nav_bar() -> NavBar:
    """The current user's bar: :func:`fold` of :func:`nav_items`. A Jinja global."""
    return fold(nav_items())


def fold(items: list[NavItem]) -> NavBar:
    """``items`` folded into their groups' menus (a group shown with one item is that item alone),
    placed by their group's ``order`` or, outside any group, their own; :data:`ACCOUNT` apart."""
    groups: dict[str, list[NavItem]] = {}
    found: dict[str, NavGroup] = {}
    loose: list[NavItem] = []
    for item in sorted(items, key=lambda item: item.order):
        if item.group is None:
            loose.append(item)
        else:
            found.setdefault(item.group.key, item.group)
            groups.setdefault(item.group.key, []).append(item)
    entries: list[NavItem | NavMenu] = list(loose)
    for key, items in groups.items():
        entries.append(items[0] if len(items) == 1 else NavMenu(found[key], items))
    entries.sort(key=_place)
    account = [entry for entry in entries if _group_key(entry) == ACCOUNT.key]
    return NavBar([entry for entry in entries if entry not in account], account)


def _place(entry: NavItem | NavMenu) -> int:
    """A group's entry stays in the group's place, whether it shows as a menu or as its one item."""
    if isinstance(entry, NavItem) and entry.group is not None:
        return entry.group.order
    return entry.order


def _group_key(entry: NavItem | NavMenu) -> str | None:
    if isinstance(entry, NavMenu):
        return entry.key
    return entry.group.key if entry.group else None


def dashboard_panels(user: Any) -> list[DashboardPanel]:
    panels = collect(plugin_manager().hook.lms_dashboard_panels(user=user), key=lambda panel: panel.key)
    return sorted(panels, key=lambda panel: panel.order)


def has_endpoint(endpoint: str) -> bool:
    """Whether ``endpoint`` exists in this app: a page links to another area only if that area is
    not disabled (``LMS_DISABLED_PLUGINS``). A Jinja global."""
    return endpoint in current_app.view_functions
