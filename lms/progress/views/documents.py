"""The learner's cockpit: documents pages."""

from __future__ import annotations

from flask import Blueprint

from lms.core.navigation import NavItem

bp = Blueprint("progress_documents", __name__, url_prefix="/me")


def nav_items(user) -> list[NavItem]:
    return []
