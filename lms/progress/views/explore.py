"""The learner's cockpit: explore pages."""

from __future__ import annotations

from flask import Blueprint

from lms.core.navigation import NavItem

bp = Blueprint("progress_explore", __name__, url_prefix="/me")


def nav_items(user) -> list[NavItem]:
    return []
