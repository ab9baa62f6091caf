"""Progress pages, one blueprint per subject: the learner record for directors and administrators
(``record``), and the learner's cockpit: dashboard and requirement trees (``cockpit``), timeline
and transcript (``documents``), what-if and closest credentials (``explore``), the planner
(``planner``)."""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint

from lms.core.navigation import NavItem

SUBJECTS = ("record", "cockpit", "documents", "explore", "planner")


def _modules():
    return [import_module(f"lms.progress.views.{name}") for name in SUBJECTS]


def blueprints() -> list[Blueprint]:
    return [module.bp for module in _modules()]


def nav_items(user) -> list[NavItem]:
    return [item for module in _modules() for item in getattr(module, "nav_items", lambda _user: [])(user)]
