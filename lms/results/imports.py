"""Importing a grade file onto a sheet: the dry-run against the sheet's roster, then the rows
:func:`lms.results.services.save_sheet` writes (all or nothing, as drafts, with the import source)."""

from __future__ import annotations

from dataclasses import dataclass

from lms.results import queries, services
from lms.results.importers import (
    ImportedSheet,
    ImportOptions,
    ImportPreview,
    Mark,
    preview,
)
from lms.results.importers.base import GradeImporter
from lms.timetable.models import Offering


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
) -> SheetImport:
    """Read ``data`` and match it against the learners of the sheet. Reads only."""
    sheet = importer.read(data, filename, ImportOptions(grade_column=column or None))
    registrations = queries.sheet_registrations(offering, session)
    results = queries.results_for(offering, session, [r.id for r in registrations])
    roster: dict[str, tuple[int, str | None]] = {}
    current: dict[int, Mark | None] = {}
    targets: dict[int, Target] = {}
    for registration in registrations:
        learner = registration.learner
        roster[learner.learner_number] = (learner.id, learner.user.email)
        result = results.get(registration.id)
        current[learner.id] = None if result is None else (result.grade, bool(result.absent))
        targets[learner.id] = Target(registration.id, None if result is None else result.version)
    if sheet.needs_column:
        return SheetImport(sheet, None, targets)
    return SheetImport(sheet, preview(sheet, roster, current), targets)


def rows_to_save(imported: SheetImport) -> list[services.RowInput]:
    """The sheet rows of a clean preview: one per matched learner (absent → ``absent=True``)."""
    assert imported.preview is not None
    rows = []
    for learner_id, mark in imported.preview.values().items():
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
