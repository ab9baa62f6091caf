"""Importing a grade file onto a sheet: the dry-run against the sheet's roster, then the rows
:func:`lms.results.services.save_sheet` writes (as drafts, with the import source): all of them,
or, when the user chose to import the valid rows and ignore the others, only those.

The importers' messages are :class:`~lms.results.importers.Msg`; :func:`say` shows them in the
user's language with numbers in their locale.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_decimal

from lms.core.i18n import gettext
from lms.results import queries, services
from lms.results.grades import N_
from lms.results.importers import (
    ImportedSheet,
    ImportOptions,
    ImportPreview,
    Mark,
    Msg,
    Problem,
    preview,
)
from lms.results.importers.base import GradeImporter
from lms.results.models import ResultStatus
from lms.timetable.models import Offering

LOCKED = N_("This result is locked: ask a director for a correction.")
PUBLISHED = N_("this result is published: change it with a correction")


@dataclass(frozen=True)
class Target:
    registration_id: int
    version: int | None  # the current result's version; None: no result yet


@dataclass
class SheetImport:
    sheet: ImportedSheet
    preview: ImportPreview | None  # None while a grade column must be chosen
    targets: dict[int, Target]  # learner id → registration on this sheet

    @property
    def needs_column(self) -> bool:
        return self.sheet.needs_column


def source_of(importer_name: str) -> str:
    return f"import:{importer_name}"


def dry_run(
    importer: GradeImporter,
    data: bytes,
    filename: str,
    offering: Offering,
    session: int,
    column: str | None = None,
    out_of: Decimal | None = None,
) -> SheetImport:
    """Read ``data`` (grades ``out_of`` another maximum than 20 if given) and match it against
    the learners of the sheet. Reads only. A published or locked result is not changed by an
    import: a row changing one is refused (published grades change through corrections)."""
    sheet = importer.read(data, filename, ImportOptions(grade_column=column or None, out_of=out_of))
    registrations = queries.sheet_registrations(offering, session)
    results = queries.results_for(offering, session, [r.id for r in registrations])
    roster: dict[str, tuple[int, str | None]] = {}
    current: dict[int, Mark | None] = {}
    targets: dict[int, Target] = {}
    names: dict[int, str] = {}
    frozen: dict[int, Msg] = {}
    for registration in registrations:
        learner = registration.learner
        roster[learner.learner_number] = (learner.id, learner.user.email)
        names[learner.id] = learner.user.name
        result = results.get(registration.id)
        current[learner.id] = None if result is None else (result.grade, bool(result.absent))
        targets[learner.id] = Target(registration.id, None if result is None else result.version)
        if result is not None and result.locked:
            frozen[learner.id] = Msg(LOCKED)
        elif result is not None and result.status == ResultStatus.PUBLISHED:
            frozen[learner.id] = Msg(PUBLISHED)
    if sheet.needs_column:
        return SheetImport(sheet, None, targets)
    return SheetImport(sheet, preview(sheet, roster, current, names, frozen), targets)


def rows_to_save(imported: SheetImport, *, partial: bool = False) -> list[services.RowInput]:
    """The sheet rows of a preview: one per matched learner (absent → ``absent=True``); with
    ``partial``, only the rows of learners none of whose rows is refused."""
    assert imported.preview is not None
    rows = []
    for learner_id, mark in imported.preview.values(partial=partial).items():
        target = imported.targets[learner_id]
        rows.append(
            services.RowInput(
                registration_id=target.registration_id,
                grade="" if mark.absent or mark.grade is None else str(mark.grade),
                absent=mark.absent,
                comment=None,
                version=target.version,
            )
        )
    return rows


def number(value: Decimal) -> str:
    """A number of a message in the user's locale: 72.5 → "72,5" in French."""
    return format_decimal(value, format="#,##0.##")


def say(message: Msg | Problem | str) -> str:
    """An importer's message (or a file's ``FILE:LINE: problem``) in the user's language."""
    if isinstance(message, Problem):
        return f"{message.where}: {say(message.message)}"
    if isinstance(message, Msg):
        return message.render(gettext, number)
    return gettext(message) if message else ""
