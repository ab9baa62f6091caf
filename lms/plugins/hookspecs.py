"""Every hook lms calls. Implement them with ``@lms.plugins.hookimpl`` in a module or object
registered through the ``lms.plugins`` entry-point group (external plugins) or listed in
:data:`lms.plugins.manager.BUILTIN_PLUGINS` (the areas of lms itself).

Hooks named ``lms_*`` only. Hooks returning lists are called on every plugin and their results
concatenated; ``firstresult`` hooks stop at the first plugin that answers something other than None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lms.plugins import hookspec

if TYPE_CHECKING:
    import click
    from flask import Flask

    from lms.accounts.models import User
    from lms.core.navigation import DashboardPanel, NavItem


# --- set-up -------------------------------------------------------------------------------------


@hookspec
def lms_load_blueprints(app: Flask) -> None:
    """Register the plugin's blueprints (and error handlers, template filters) on ``app``.

    Called once from ``create_app``; must do no I/O.
    """


@hookspec
def lms_cli(group: click.Group) -> None:
    """Add commands to the ``lms`` / ``flask`` command group."""


@hookspec
def lms_migration_dirs() -> list[str]:
    """Folders of Alembic revision files the plugin adds to ``migrations/versions``.

    Their revisions must descend from the project's (``depends_on`` or ``down_revision``).
    """


@hookspec
def lms_nav_items(user: User) -> list[NavItem]:
    """Navigation entries to show ``user`` (return only those they may open)."""


# --- contributors -------------------------------------------------------------------------------


@hookspec
def lms_dashboard_panels(user: User) -> list[DashboardPanel]:
    """Panels for the home page of ``user``, each with its template and data."""


@hookspec
def lms_grade_importers() -> list[Any]:
    """Grade-sheet importers (Moodle gradebook, XLSX, plain CSV, ...)."""


@hookspec
def lms_exporters() -> list[Any]:
    """Report exporters (CSV, XLSX, ...)."""


@hookspec
def lms_notification_channels() -> list[Any]:
    """Channels a notification can be sent through (in-app, e-mail, ...)."""


# --- events (called after the change is flushed, inside the request's transaction) --------------


@hookspec
def lms_holdings_changed(learner_ids: frozenset[int] | None, reason: str) -> None:
    """Something the audit reads changed for these learners (None: for everyone)."""


@hookspec
def lms_result_published(result: Any) -> None:
    """A result became visible to its learner."""


@hookspec
def lms_progress_refreshed(records: dict[int, Any], catalog: Any, as_of: Any, bulk: bool) -> None:
    """Learners were re-audited: ``records`` maps learner ids to their LearnerRecord, ``catalog`` is
    the catalogue the audit used. ``bulk`` is true for a re-audit of everyone (after a catalogue
    change), where per-learner work should stay cheap."""


@hookspec
def lms_award_granted(award: Any) -> None:
    """A jury awarded a programme."""


@hookspec
def lms_application_decided(application: Any) -> None:
    """An application was accepted, waitlisted or rejected."""


# --- providers ----------------------------------------------------------------------------------


@hookspec(firstresult=True)
def lms_certificate_renderer(award: Any) -> bytes | None:
    """The certificate PDF for ``award``; the first plugin that answers wins."""
