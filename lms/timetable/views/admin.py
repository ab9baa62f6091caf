"""Timetable pages for the admin audience."""

from __future__ import annotations

from flask import Blueprint

from lms.core.navigation import NavItem

bp = Blueprint("timetable_admin", __name__)


def nav_items(user) -> list[NavItem]:
    return []
