"""Timetable pages for the learner audience."""

from __future__ import annotations

from flask import Blueprint

from lms.core.navigation import NavItem

bp = Blueprint("timetable_learner", __name__)


def nav_items(user) -> list[NavItem]:
    return []
