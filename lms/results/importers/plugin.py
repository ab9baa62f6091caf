"""Registers the built-in grade importers: plain CSV, plain XLSX and Moodle gradebook exports."""

from __future__ import annotations

from lms.plugins import hookimpl
from lms.plugins.contributions import GradeImporter
from lms.results.importers.moodle import MoodleImporter
from lms.results.importers.plain import PlainCsvImporter, PlainXlsxImporter


@hookimpl
def lms_grade_importers() -> list[GradeImporter]:
    return [PlainCsvImporter(), PlainXlsxImporter(), MoodleImporter()]
