"""Timetable pages for attendance certificates."""

from __future__ import annotations

from flask import Blueprint

from lms.core.navigation import NavItem

bp = Blueprint("timetable_certificates", __name__)


def nav_items(user) -> list[NavItem]:
    return []
