"""The plugin contract: typed contributions gathered one way (the later-registered plugin wins),
hook implementations checked at start-up, essential areas that cannot be disabled, documented
hookspecs, and no ``@hookimpl`` mark outside the registered plugin modules."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pluggy
import pytest

from lms.app import create_app
from lms.plugins import hookimpl, hookspecs
from lms.plugins.contributions import Exporter, NavItem, collect
from lms.plugins.manager import BUILTIN_PLUGINS, ESSENTIAL_AREAS, create_plugin_manager

LMS = Path(__file__).resolve().parents[2] / "lms"


# --- collect ------------------------------------------------------------------------------------------


def test_collect_keeps_registration_order_and_lets_the_later_plugin_win():
    # What pluggy returns: the most recently registered plugin first.
    newest_first = [[("csv", "external")], None, [("csv", "built-in"), ("xlsx", "built-in")], [("pdf", "first")]]
    assert collect(newest_first, key=lambda item: item[0]) == [
        ("pdf", "first"),
        ("csv", "external"),  # replaces the built-in one, in its place
        ("xlsx", "built-in"),
    ]


class Overrides:
    """An external plugin replacing the built-in CSV exporter, CSV importer and in-app channel."""

    name = "overrides"

    class Importer:
        name = "csv"
        label = "Our CSV"

        def accepts(self, filename: str) -> bool:
            return filename.endswith(".csv")

        def read(self, data, filename, options=None):
            raise NotImplementedError

    class Channel:
        name = "in_app"

        def deliver(self, message) -> None:
            pass

    exporter = Exporter("csv", "Our CSV", lambda table, filename: None)
    importer = Importer()
    channel = Channel()

    @staticmethod
    @hookimpl
    def lms_exporters():
        return [Overrides.exporter]

    @staticmethod
    @hookimpl
    def lms_grade_importers():
        return [Overrides.importer]

    @staticmethod
    @hookimpl
    def lms_notification_channels():
        return [Overrides.channel]


def test_every_contributor_hook_lets_the_later_plugin_win():
    from lms.notifications.services import channels
    from lms.reports.exports import exporters
    from lms.results.importers import available_importers

    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"}, plugins=[Overrides])
    with app.app_context():
        pm = app.extensions["lms.plugins"]
        assert exporters()["csv"] is Overrides.exporter and exporters()["xlsx"].label == "XLSX"
        importers = available_importers(pm)
        assert [i.name for i in importers] == ["csv", "xlsx", "moodle"] and importers[0] is Overrides.importer
        assert [c.name for c in channels()] == ["in_app", "email"] and channels()[0] is Overrides.channel


def test_nav_items_with_the_same_endpoint_collapse_into_the_later_one():
    older, newer = NavItem("Old", "core.home"), NavItem("New", "core.home")
    other = NavItem("Other", "core.home", values={"page": 2})
    assert collect([[newer], [older, other]], key=lambda item: item.key) == [newer, other]


# --- start-up checks -------------------------------------------------------------------------------------


class Misspelt:
    name = "misspelt"

    @staticmethod
    @hookimpl
    def lms_nav_itemz(user):
        return []


def test_a_misspelt_hook_implementation_fails_at_start_up():
    with pytest.raises(pluggy.PluginValidationError, match="lms_nav_itemz"):
        create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"}, plugins=[Misspelt])


class WrongParameter:
    name = "wrong_parameter"

    @staticmethod
    @hookimpl
    def lms_holdings_changed(learners, reason):
        pass


def test_an_implementation_with_an_unknown_parameter_fails_at_start_up():
    with pytest.raises(pluggy.PluginValidationError, match="learners"):
        create_plugin_manager(extra=[WrongParameter])


@pytest.mark.parametrize("name", [*sorted(ESSENTIAL_AREAS), "lms.progress.plugin", "lms.catalog.plugin"])
def test_essential_areas_cannot_be_disabled(name):
    with pytest.raises(RuntimeError, match=f"cannot disable {re.escape(name)}.*essential"):
        create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://", "DISABLED_PLUGINS": (name,)})


def test_the_environment_cannot_disable_progress(monkeypatch):
    monkeypatch.setenv("LMS_DISABLED_PLUGINS", "reports,progress")
    with pytest.raises(RuntimeError, match="cannot disable progress"):
        create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_the_grade_importers_are_disabled_by_their_own_name():
    pm = create_plugin_manager(disabled=["importers"])
    assert pm.is_blocked("lms.results.importers.plugin") and pm.get_plugin("lms.results.plugin") is not None


# --- documentation ---------------------------------------------------------------------------------------


def hookspec_functions():
    return [fn for _, fn in inspect.getmembers(hookspecs, inspect.isfunction) if fn.__module__ == hookspecs.__name__]


@pytest.mark.parametrize("spec", hookspec_functions(), ids=lambda fn: fn.__name__)
def test_every_hookspec_says_how_it_is_called_and_shows_an_example(spec):
    doc = inspect.getdoc(spec)
    assert "Example::" in doc and "@hookimpl" in doc and f"def {spec.__name__}(" in doc
    firstresult = spec.lms_spec["firstresult"]
    assert ("firstresult" in doc) if firstresult else ("every plugin" in doc.lower())
    for parameter in inspect.signature(spec).parameters:
        assert f"``{parameter}``" in doc or parameter in doc, f"{spec.__name__}: {parameter} undocumented"


# --- no stray marks ---------------------------------------------------------------------------------------


def test_hookimpl_marks_only_in_registered_plugin_modules():
    registered = {LMS.parent / (name.replace(".", "/") + ".py") for name in BUILTIN_PLUGINS}
    code = (path for path in LMS.rglob("*.py") if path.parent.name != "plugins")  # hookspecs' examples
    marked = {path for path in code if re.search(r"^\s*@hookimpl\b", path.read_text(), re.MULTILINE)}
    assert marked <= registered, sorted(str(path.relative_to(LMS)) for path in marked - registered)
