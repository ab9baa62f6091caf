"""What plugins contribute, typed: the objects the contributor hooks return, and :func:`collect`.

Each contributor hook (``lms_nav_items``, ``lms_dashboard_panels``, ``lms_grade_importers``,
``lms_exporters``, ``lms_notification_channels``) returns a list of one of the types below; the
callers gather them with :func:`collect`, so overrides resolve the same way everywhere.

Imports nothing but the standard library at module level: pure packages (the grade importers) may
import it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from flask import Response

    from lms.notifications.channels import Message
    from lms.reports.exports import Table
    from lms.results.importers.base import ImportedSheet, ImportOptions

T = TypeVar("T")


def collect(results: Iterable[Iterable[T] | None], key: Callable[[T], Hashable]) -> list[T]:
    """Flatten the lists a contributor hook returned, resolving overrides.

    ``results`` is what calling the hook gave (``pm.hook.lms_exporters()``): pluggy calls the
    most recently registered plugin first, so the lists come newest first. :func:`collect` puts
    them back in registration order (built-in areas first, then entry points, then extra plugins)
    and, when two contributions have the same ``key``, **the later-registered plugin wins**: its
    contribution replaces the earlier one, in the earlier one's place. ``None`` answers are skipped.

    >>> collect([[("csv", "mine")], [("csv", "built-in"), ("xlsx", "built-in")]], key=lambda e: e[0])
    [('csv', 'mine'), ('xlsx', 'built-in')]
    """
    found: dict[Hashable, T] = {}
    for group in reversed(list(results)):
        for item in group or ():
            found[key(item)] = item
    return list(found.values())


# --- page chrome ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavGroup:
    """A menu of the navigation bar, named by what people do there ("My studies", "Teaching
    offer"): the items that name it are shown in it rather than at the top level. ``order`` places
    the menu among the top-level entries. The shared groups are in :mod:`lms.core.navigation`; a
    group with a single item shown to a user is shown as that item alone."""

    key: str
    label: str
    order: int = 100


@dataclass(frozen=True)
class NavItem:
    """An entry of the navigation bar (``lms_nav_items``): ``endpoint`` and ``values`` build its
    URL; items are shown by ``order``, in the menu of their ``group`` if they have one. Key: the
    endpoint and its values."""

    label: str
    endpoint: str
    order: int = 100
    values: Mapping[str, Any] = field(default_factory=dict)
    group: NavGroup | None = None

    @property
    def key(self) -> Hashable:
        return (self.endpoint, tuple(sorted(self.values.items())))

    @property
    def url(self) -> str:
        from flask import url_for

        return url_for(self.endpoint, **self.values)

    @property
    def active(self) -> bool:
        from flask import request

        return request.endpoint == self.endpoint


@dataclass(frozen=True)
class DashboardPanel:
    """A box of the home page (``lms_dashboard_panels``): ``template`` is rendered with
    ``context``; panels are shown by ``order``. Key: the template."""

    title: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    order: int = 100

    @property
    def key(self) -> Hashable:
        return self.template


# --- files and messages --------------------------------------------------------------------------


@runtime_checkable
class GradeImporter(Protocol):
    """A grade-sheet reader (``lms_grade_importers``). Key: ``name``."""

    name: str  # stable identifier, e.g. "moodle"
    label: str  # shown to the tutor

    def accepts(self, filename: str) -> bool:
        """Whether this importer can read a file with this name (by its extension)."""
        ...

    def read(
        self, data: bytes, filename: str, options: ImportOptions | Mapping[str, Any] | None = None
    ) -> ImportedSheet:
        """Read ``data``; never raises for a bad file: problems go into the sheet."""
        ...


@dataclass(frozen=True)
class Exporter:
    """A file format the reports can be downloaded in (``lms_exporters``). Key: ``kind``."""

    kind: str  # the file name extension, in the URL
    label: str
    respond: Callable[[Table, str], Response]  # (table, file name without extension) -> download


@runtime_checkable
class NotificationChannel(Protocol):
    """A way to reach people (``lms_notification_channels``): in-app, e-mail... Key: ``name``.

    ``deliver`` runs inside the request's transaction: anything leaving the process (an e-mail)
    must wait for the commit."""

    name: str

    def deliver(self, message: Message) -> None: ...


__all__ = ["DashboardPanel", "Exporter", "GradeImporter", "NavGroup", "NavItem", "NotificationChannel", "collect"]
