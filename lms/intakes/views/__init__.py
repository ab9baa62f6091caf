"""Pages of the intakes area, one blueprint per audience: candidates (sign-up, open intakes, their
applications and documents), reviewers (intakes, the review queue, decisions) and administrators'
enrolments (direct enrolment, moving an enrolment to a newer programme version)."""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint

from lms.core.navigation import NavItem

AUDIENCES = ("candidate", "admin", "enrolments")


def _modules():
    return [import_module(f"lms.intakes.views.{name}") for name in AUDIENCES]


def _helpers() -> dict:
    from lms.intakes import labels

    return {
        "status_label": labels.status_label,
        "status_badge": lambda status: labels.APPLICATION_BADGE.get(status, "text-bg-light border"),
        "level_label": labels.level_label,
        "funding_label": labels.funding_label,
    }


def blueprints() -> list[Blueprint]:
    found = [module.bp for module in _modules()]
    for blueprint in found:
        if _helpers not in blueprint.template_context_processors.get(None, []):
            blueprint.context_processor(_helpers)
    return found


def nav_items(user) -> list[NavItem]:
    return [item for module in _modules() for item in module.nav_items(user)]
