"""Every hook lms calls: the plugin contract.

Implement a hook with ``@lms.plugins.hookimpl`` on a function of the same name in a module (or
object) that is registered: listed in :data:`lms.plugins.manager.BUILTIN_PLUGINS` (the areas of
lms itself), or published in the ``lms.plugins`` entry-point group (external plugins). An
implementation may accept fewer parameters than the spec, never other ones: the manager runs
``check_pending()`` after registration, so a misspelt hook or parameter fails at start-up.

How results come back (pluggy):

- a hook that is not ``firstresult`` calls **every** plugin, the most recently registered first,
  and returns the list of their non-None answers;
- contributor hooks return lists of the typed objects of :mod:`lms.plugins.contributions`; callers
  gather them with :func:`~lms.plugins.contributions.collect`: registration order, and for one key
  **the plugin registered later wins** (an external plugin can replace a built-in exporter);
- a ``firstresult`` hook stops at the first plugin that answers something other than None.

Events are called synchronously, inside the request's transaction, after the change is flushed:
an implementation writes with the session (flush, never commit) and an exception rolls everything
back with the change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lms.plugins import hookspec

if TYPE_CHECKING:
    from datetime import date

    import click
    from flask import Flask

    from lms.accounts.models import User
    from lms.awards.models import Award
    from lms.core.tasks import Task
    from lms.intakes.models import Application
    from lms.plugins.contributions import DashboardPanel, Exporter, GradeImporter, NavItem, NotificationChannel
    from lms.progress.audit.catalogue import Catalog
    from lms.progress.audit.records import LearnerRecord
    from lms.results.models import Result


# --- set-up -------------------------------------------------------------------------------------


@hookspec
def lms_load_blueprints(app: Flask) -> None:
    """Register the plugin's blueprints (and error handlers, template filters) on ``app``.

    Called once from ``create_app``, on every plugin; returns nothing; must do no I/O.

    Example::

        @hookimpl
        def lms_load_blueprints(app):
            app.register_blueprint(my_blueprint)
    """


@hookspec
def lms_cli(group: click.Group) -> None:
    """Add commands to the ``lms`` / ``flask`` command ``group``. Every plugin; returns nothing.

    Example::

        @hookimpl
        def lms_cli(group):
            group.add_command(my_command)
    """


@hookspec
def lms_migration_dirs() -> list[str]:
    """Folders of Alembic revision files the plugin adds to ``migrations/versions``.

    Every plugin; each returns a list of paths, concatenated. Their revisions must descend from
    the project's (``depends_on`` or ``down_revision``).

    Example::

        @hookimpl
        def lms_migration_dirs():
            return [str(Path(__file__).parent / "migrations")]
    """


@hookspec
def lms_nav_items(user: User) -> list[NavItem]:
    """Navigation entries to show ``user`` (return only those they may open).

    Every plugin; gathered with ``collect`` (key: endpoint and values), sorted by ``order``. An item
    with a ``group`` (a :class:`NavGroup`; the shared ones are in :mod:`lms.core.navigation`) is
    shown in that group's menu: keep about six top-level entries per role.

    Example::

        @hookimpl
        def lms_nav_items(user):
            from lms.core.navigation import MY_STUDIES

            if not user.has_role(Role.LEARNER):
                return []
            return [NavItem(_l("Library"), "library.index", order=70, group=MY_STUDIES)]
    """


# --- contributors -------------------------------------------------------------------------------


@hookspec
def lms_dashboard_panels(user: User) -> list[DashboardPanel]:
    """Panels for the home page of ``user``, each with its template and data.

    Every plugin; gathered with ``collect`` (key: template), sorted by ``order``.

    Example::

        @hookimpl
        def lms_dashboard_panels(user):
            return [DashboardPanel(_l("Loans"), "library/_panel.html", {"loans": loans(user)}, order=30)]
    """


@hookspec
def lms_grade_importers() -> list[GradeImporter]:
    """Grade-sheet importers (Moodle gradebook, XLSX, plain CSV, ...).

    Every plugin; gathered with ``collect`` (key: ``name``: a later plugin replaces a built-in
    importer of the same name). An object that is not a :class:`GradeImporter` fails loudly.

    Example::

        @hookimpl
        def lms_grade_importers():
            return [ApogeeImporter()]  # name = "apogee", label, accepts(filename), read(data, filename)
    """


@hookspec
def lms_exporters() -> list[Exporter]:
    """File formats the reports can be downloaded in (CSV, XLSX, ...).

    Every plugin; gathered with ``collect`` (key: ``kind``: a later plugin replaces a built-in
    format of the same kind).

    Example::

        @hookimpl
        def lms_exporters():
            return [Exporter("ods", "ODS", ods_response)]  # ods_response(table, filename) -> Response
    """


@hookspec
def lms_tasks() -> list[Task]:
    """Background tasks of the plugin's area, declared with :func:`lms.core.tasks.task` or
    :func:`lms.core.tasks.periodic`, for the task queue every web host and worker builds alike.
    Every plugin; gathered with ``collect`` (key: ``name``).

    Example::

        @hookimpl
        def lms_tasks():
            from myplugin.tasks import nightly_sync

            return [nightly_sync]  # @periodic(hour="2", minute="0") def nightly_sync(): ...
    """


@hookspec
def lms_notification_channels() -> list[NotificationChannel]:
    """Channels a notification is sent through (in-app, e-mail, ...): every channel gets every
    message. Every plugin; gathered with ``collect`` (key: ``name``).

    Example::

        @hookimpl
        def lms_notification_channels():
            return [SmsChannel()]  # name = "sms", deliver(message)
    """


# --- events (called after the change is flushed, inside the request's transaction) --------------


@hookspec
def lms_holdings_changed(learner_ids: frozenset[int] | None, reason: str) -> None:
    """Something the audit reads changed for these learners (``None``: for every learner, the
    catalogue changed); ``reason`` names what changed (table names, or the caller's words).

    Fired by :mod:`lms.core.holdings`, once per transaction just before the commit (or at once when
    a service calls ``holdings_changed``), with every learner concerned. Every plugin; returns
    nothing. Progress implements it by re-auditing them in the same transaction.

    Example::

        @hookimpl
        def lms_holdings_changed(learner_ids, reason):
            log.info("re-audit of %s: %s", "everyone" if learner_ids is None else len(learner_ids), reason)
    """


@hookspec
def lms_progress_refreshed(records: dict[int, LearnerRecord], catalog: Catalog, as_of: date, bulk: bool) -> None:
    """Learners were re-audited: ``records`` maps learner ids to their LearnerRecord, ``catalog`` is
    the catalogue the audit used, ``as_of`` the audit date. ``bulk`` is true for a re-audit of
    everyone (after a catalogue change), where per-learner work should stay cheap.

    Every plugin; returns nothing.

    Example::

        @hookimpl
        def lms_progress_refreshed(records, catalog, as_of, bulk):
            if not bulk:
                recheck_badges(records, catalog, as_of)
    """


@hookspec
def lms_result_published(result: Result) -> None:
    """A result became visible to its learner (published, or corrected after publication).

    Every plugin; returns nothing.

    Example::

        @hookimpl
        def lms_result_published(result):
            push_to_moodle(result.registration.learner.learner_number, result.grade)
    """


@hookspec
def lms_award_granted(award: Award) -> None:
    """A jury awarded a programme (the award row is flushed). Every plugin; returns nothing.

    Example::

        @hookimpl
        def lms_award_granted(award):
            queue_open_badge(award.id)
    """


@hookspec
def lms_application_decided(application: Application) -> None:
    """An application was accepted, waitlisted or rejected. Every plugin; returns nothing.

    Example::

        @hookimpl
        def lms_application_decided(application):
            if application.status == "accepted":
                create_moodle_account(application.candidate)
    """


# --- providers ----------------------------------------------------------------------------------


@hookspec(firstresult=True)
def lms_certificate_renderer(award: Award) -> bytes | None:
    """The certificate PDF for ``award``.

    ``firstresult``: the first plugin that answers other than None wins (the most recently
    registered is asked first, so an external plugin overrides the built-in renderer); answer None
    to let the next one render.

    Example::

        @hookimpl
        def lms_certificate_renderer(award):
            return render_our_letterhead(award) if award.enrolment.programme_version.kind == "master" else None
    """
