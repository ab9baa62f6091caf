"""The learner's cockpit: planner pages."""

from __future__ import annotations

from flask import Blueprint

from lms.core.navigation import NavItem

bp = Blueprint("progress_planner", __name__, url_prefix="/me")


def nav_items(user) -> list[NavItem]:
    return []
