"""Grade importers: read an uploaded file into an :class:`ImportedSheet`, then :func:`preview` it
against an offering's roster. Pure Python (no Flask, no database).

Importers come from the ``lms_grade_importers()`` hook (:func:`available_importers`); the built-in
ones (``csv``, ``xlsx``, ``moodle``) are registered by :mod:`lms.results.importers.plugin`.
"""

from lms.results.grades import GradeError
from lms.results.importers.base import (
    ABSENT,
    GradeImporter,
    ImportedRow,
    ImportedSheet,
    ImportOptions,
    Mark,
    Msg,
    Problem,
    parse_mark,
)
from lms.results.importers.moodle import MoodleImporter
from lms.results.importers.plain import PlainCsvImporter, PlainXlsxImporter
from lms.results.importers.preview import ImportPreview, PreviewRow, preview
from lms.results.importers.registry import (
    available_importers,
    importer_named,
    importers_for,
)

__all__ = [
    "ABSENT",
    "GradeError",
    "GradeImporter",
    "ImportOptions",
    "ImportPreview",
    "ImportedRow",
    "ImportedSheet",
    "Mark",
    "MoodleImporter",
    "Msg",
    "PlainCsvImporter",
    "PlainXlsxImporter",
    "PreviewRow",
    "Problem",
    "available_importers",
    "importer_named",
    "importers_for",
    "parse_mark",
    "preview",
]
