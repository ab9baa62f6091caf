"""Building the plugin manager of one app: built-in areas first, then entry points."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from importlib.metadata import entry_points

import pluggy
from flask import Flask, current_app

from lms.plugins import PROJECT_NAME, hookspecs

ENTRY_POINT_GROUP = "lms.plugins"

# The areas of lms, registered exactly like external plugins. Order is the navigation order.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "lms.core.plugin",
    "lms.accounts.plugin",
    "lms.progress.plugin",
    "lms.timetable.plugin",
    "lms.catalog.plugin",
    "lms.intakes.plugin",
    "lms.awards.plugin",
    "lms.reports.plugin",
    "lms.results.plugin",
    "lms.notifications.plugin",
    "lms.results.importers.plugin",
    "lms.api.plugin",
    "lms.demo.plugin",
)


def create_plugin_manager(disabled: Iterable[str] = (), extra: Iterable[object] = ()) -> pluggy.PluginManager:
    """A manager with the built-in areas, the ``lms.plugins`` entry points and ``extra`` objects.

    ``disabled`` names plugins not to load: a built-in module path (``lms.reports.plugin``), its
    short area name (``reports``) or an entry-point name.
    """
    blocked = {name.strip() for name in disabled if name.strip()}
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for module_name in BUILTIN_PLUGINS:
        area = module_name.split(".")[1]
        if module_name in blocked or area in blocked:
            pm.set_blocked(module_name)
            continue
        pm.register(importlib.import_module(module_name), name=module_name)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in blocked:
            pm.set_blocked(ep.name)
            continue
        pm.register(ep.load(), name=ep.name)
    for plugin in extra:
        name = getattr(plugin, "name", None) or getattr(plugin, "__name__", None)
        if name in blocked:
            continue
        pm.register(plugin, name=name)
    return pm


def plugin_manager(app: Flask | None = None) -> pluggy.PluginManager:
    """The manager of ``app`` (default: the current app)."""
    return (app or current_app).extensions["lms.plugins"]
