"""Pages of the awards area."""

from __future__ import annotations

from flask import Blueprint

from lms.core.navigation import NavItem


def blueprints() -> list[Blueprint]:
    return []


def nav_items(user) -> list[NavItem]:
    return []
