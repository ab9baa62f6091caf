"""Plugins: an external plugin adds a page and a navigation item through the same hooks as the
built-in areas; plugins load from the ``lms.plugins`` entry points; ``DISABLED_PLUGINS`` blocks a
built-in area or an external plugin by name; each app has its own manager."""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Iterator

import pluggy
import pytest
import sqlalchemy as sa
from flask import Blueprint, Flask

import lms.plugins.manager as manager
from lms.accounts.models import Role, User
from lms.accounts.services import create_user
from lms.core.access import login_required
from lms.extensions import db, limiter
from lms.plugins import hookimpl, hookspecs
from lms.plugins.contributions import NavItem
from tests.conftest import make_app
from tests.helpers import PASSWORD, login

PLUGIN_NAME = "ext_plugin"
PAGE_TEXT = "Hello from the external plugin"
NAV_LABEL = "Plugin corner"
ADMIN = "admin@example.org"

# Plugins do not depend on the database engine: the tests that need a database run on SQLite only.

# --- the external plugin under test ---------------------------------------------------------------

bp = Blueprint("ext_plugin", __name__, url_prefix="/ext")


@bp.route("/page")
@login_required
def page() -> str:
    return f"<!doctype html><title>Plugin</title><p>{PAGE_TEXT}</p>"


@bp.route("/undeclared")
def undeclared() -> str:  # no access rule: deny-by-default applies to plugins too
    return "never shown"


def make_plugin(name: str = PLUGIN_NAME) -> types.ModuleType:
    """A plugin module, as an entry point would load it."""
    module = types.ModuleType(name)

    @hookimpl
    def lms_load_blueprints(app: Flask) -> None:
        app.register_blueprint(bp)

    @hookimpl
    def lms_nav_items(user) -> list[NavItem]:
        return [NavItem(NAV_LABEL, "ext_plugin.page", order=60)]

    module.lms_load_blueprints = lms_load_blueprints
    module.lms_nav_items = lms_nav_items
    return module


class FakeEntryPoint:
    def __init__(self, name: str, plugin: object):
        self.name = name
        self.group = manager.ENTRY_POINT_GROUP
        self.plugin = plugin
        self.loaded = 0

    def load(self) -> object:
        self.loaded += 1
        return self.plugin


# --- fixtures and helpers ---------------------------------------------------------------------------


@pytest.fixture
def build(database_url, monkeypatch) -> Iterator[Callable[..., Flask]]:
    """Build apps (with extra plugins and overrides) on one migrated database."""
    monkeypatch.delenv("LMS_DISABLED_PLUGINS", raising=False)
    apps: list[Flask] = []

    def _build(plugins=(), **overrides) -> Flask:
        app = make_app(database_url, plugins=plugins, **overrides)
        with app.app_context():
            limiter.reset()
        apps.append(app)
        return app

    yield _build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def home_page(app: Flask, roles=(Role.ADMIN,)):
    """A logged-in client of ``app`` (an English-speaking admin) and its home page."""
    with app.app_context():
        if db.session.scalar(sa.select(User.id).where(User.email == ADMIN)) is None:
            create_user(ADMIN, "Ada Admin", list(roles), password=PASSWORD, locale="en")
            db.session.commit()
    client = app.test_client()
    assert login(client, ADMIN).status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    return client, home.text


def shows_plugin(html: str) -> bool:
    return NAV_LABEL in html and 'href="/ext/page"' in html


def shows_overview(html: str) -> bool:
    return ">Overview<" in html and "Units in the catalogue" in html


# --- an external plugin ------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_external_plugin_adds_a_page_and_a_nav_item(build):
    plugin = make_plugin()
    app = build(plugins=[plugin])
    assert app.extensions["lms.plugins"].get_plugin(PLUGIN_NAME) is plugin

    anonymous = app.test_client().get("/ext/page")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    client, home = home_page(app)
    assert shows_plugin(home)
    opened = client.get("/ext/page")
    assert opened.status_code == 200 and PAGE_TEXT in opened.text
    assert client.get("/ext/undeclared").status_code == 403


@pytest.mark.sqlite_only
def test_without_the_plugin_there_is_no_page_nor_nav_item(build):
    app = build()
    client, home = home_page(app)
    assert not shows_plugin(home)
    assert client.get("/ext/page").status_code == 404


# --- DISABLED_PLUGINS ----------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_built_in_areas_all_load_by_default(build):
    app = build()
    pm = app.extensions["lms.plugins"]
    assert {name for name, _ in pm.list_name_plugin()} >= set(manager.BUILTIN_PLUGINS)
    _, home = home_page(app)
    assert shows_overview(home)


@pytest.mark.sqlite_only
def test_disabled_plugins_from_the_environment(build, monkeypatch):
    monkeypatch.setenv("LMS_DISABLED_PLUGINS", f"reports, {PLUGIN_NAME}")
    app = build(plugins=[make_plugin()])
    assert set(app.config["DISABLED_PLUGINS"]) == {"reports", PLUGIN_NAME}
    pm = app.extensions["lms.plugins"]
    assert pm.get_plugin("lms.reports.plugin") is None and pm.is_blocked("lms.reports.plugin")
    assert pm.get_plugin(PLUGIN_NAME) is None
    assert pm.get_plugin("lms.catalog.plugin") is not None  # only the named ones are blocked

    client, home = home_page(app)
    assert not shows_overview(home)
    assert not shows_plugin(home)
    assert client.get("/ext/page").status_code == 404


@pytest.mark.sqlite_only
@pytest.mark.parametrize("name", ["reports", "lms.reports.plugin"])
def test_a_built_in_area_is_disabled_by_short_or_module_name(build, name):
    app = build(DISABLED_PLUGINS=(name,))
    assert app.extensions["lms.plugins"].get_plugin("lms.reports.plugin") is None
    _, home = home_page(app)
    assert not shows_overview(home)
    assert "Hello, Ada Admin" in home  # the rest of the home page is still there


# --- entry points --------------------------------------------------------------------------------------


@pytest.fixture
def entry_point(monkeypatch) -> FakeEntryPoint:
    ep = FakeEntryPoint("from_entry_point", make_plugin("from_entry_point"))
    groups: list[str] = []

    def fake_entry_points(*, group: str):
        groups.append(group)
        return [ep] if group == manager.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(manager, "entry_points", fake_entry_points)
    ep.groups = groups
    return ep


@pytest.mark.sqlite_only
def test_plugins_load_from_entry_points(build, entry_point):
    app = build()
    assert entry_point.groups == ["lms.plugins"] and entry_point.loaded == 1
    assert app.extensions["lms.plugins"].get_plugin("from_entry_point") is entry_point.plugin
    client, home = home_page(app)
    assert shows_plugin(home)
    assert PAGE_TEXT in client.get("/ext/page").text


@pytest.mark.sqlite_only
def test_a_disabled_entry_point_is_not_even_loaded(build, entry_point):
    app = build(DISABLED_PLUGINS=("from_entry_point",))
    pm = app.extensions["lms.plugins"]
    assert entry_point.loaded == 0
    assert pm.get_plugin("from_entry_point") is None and pm.is_blocked("from_entry_point")
    _, home = home_page(app)
    assert not shows_plugin(home)


# --- one manager per app -------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_each_app_has_its_own_plugin_manager(build):
    with_plugin = build(plugins=[make_plugin()])
    without = build()
    pm1, pm2 = with_plugin.extensions["lms.plugins"], without.extensions["lms.plugins"]
    assert isinstance(pm1, pluggy.PluginManager) and pm1 is not pm2
    assert manager.plugin_manager(with_plugin) is pm1
    with without.app_context():
        assert manager.plugin_manager() is pm2
    assert pm1.get_plugin(PLUGIN_NAME) is not None and pm2.get_plugin(PLUGIN_NAME) is None
    # No manager kept in a module global.
    assert not any(isinstance(value, pluggy.PluginManager) for value in vars(manager).values())


# --- hook specifications -------------------------------------------------------------------------------


def hookspec_functions() -> list[types.FunctionType]:
    return [fn for _, fn in inspect.getmembers(hookspecs, inspect.isfunction) if fn.__module__ == hookspecs.__name__]


def test_every_hookspec_is_named_lms_and_documented():
    functions = hookspec_functions()
    assert len(functions) >= 10
    for fn in functions:
        assert getattr(fn, "lms_spec", None) is not None, f"{fn.__name__} is not marked @hookspec"
        assert fn.__name__.startswith("lms_"), fn.__name__
        assert inspect.getdoc(fn) and len(inspect.getdoc(fn)) > 10, f"{fn.__name__} has no docstring"


def test_the_manager_knows_exactly_the_documented_hooks():
    pm = manager.create_plugin_manager()
    hooks = {name for name in vars(pm.hook) if not name.startswith("_")}
    assert hooks == {fn.__name__ for fn in hookspec_functions()}
    assert all(name.startswith("lms_") for name in hooks)
