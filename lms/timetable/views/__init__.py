"""Timetable pages, one blueprint per audience: administrators (centres, offerings, meetings),
learners (offering catalogue, registration, timetable, calendar feed, attendance certificates),
tutors (attendance sheets and summaries), and attendance certificates (download, public
verification)."""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint

from lms.core.navigation import NavItem

AUDIENCES = ("admin", "learner", "tutor", "certificates")


def _modules():
    return [import_module(f"lms.timetable.views.{name}") for name in AUDIENCES]


def blueprints() -> list[Blueprint]:
    return [module.bp for module in _modules()]


def nav_items(user) -> list[NavItem]:
    return [item for module in _modules() for item in module.nav_items(user)]
