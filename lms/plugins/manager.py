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
    "lms.lti.plugin",
    "lms.demo.plugin",
)


# Areas every other one relies on (accounts for people, catalog for units, progress for the stored
# audits and the holdings hook): they cannot be disabled.
ESSENTIAL_AREAS: frozenset[str] = frozenset({"core", "accounts", "catalog", "progress"})


def plugin_names(module_name: str) -> frozenset[str]:
    """The names that disable a built-in plugin: its module path and its short names, e.g.
    ``lms.results.importers.plugin``, ``results`` (its area) and ``importers``."""
    parts = module_name.split(".")
    return frozenset({module_name, parts[1], parts[-2]})


def create_plugin_manager(disabled: Iterable[str] = (), extra: Iterable[object] = ()) -> pluggy.PluginManager:
    """A manager with the built-in areas, the ``lms.plugins`` entry points and ``extra`` objects.

    ``disabled`` names plugins not to load: a built-in module path (``lms.reports.plugin``), its
    short area name (``reports``) or an entry-point name. Disabling an essential area
    (:data:`ESSENTIAL_AREAS`) raises :class:`RuntimeError`. Every hook implementation must match a
    hookspec (``check_pending``): a misspelt one fails here, at start-up.
    """
    blocked = {name.strip() for name in disabled if name.strip()}
    refused = sorted(
        blocked
        & {name for module_name in BUILTIN_PLUGINS if _is_essential(module_name) for name in plugin_names(module_name)}
    )
    if refused:
        raise RuntimeError(
            f"LMS_DISABLED_PLUGINS cannot disable {', '.join(refused)}: the areas "
            f"{', '.join(sorted(ESSENTIAL_AREAS))} are essential to every other one"
        )
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for module_name in BUILTIN_PLUGINS:
        if plugin_names(module_name) & blocked:
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
    pm.check_pending()
    return pm


def _is_essential(module_name: str) -> bool:
    return module_name.split(".")[1] in ESSENTIAL_AREAS and module_name.count(".") == 2


def plugin_manager(app: Flask | None = None) -> pluggy.PluginManager:
    """The manager of ``app`` (default: the current app)."""
    return (app or current_app).extensions["lms.plugins"]
