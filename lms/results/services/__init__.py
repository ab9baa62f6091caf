"""Writes on results: grade sheets (draft, publish), locking after the jury, corrections.

Every change appends a :class:`~lms.results.models.ResultHistory` row; history rows are never
updated or deleted. Functions flush, never commit: the request boundary commits once. One module
per topic; this package is their public face.
"""

from lms.progress.audit.catalogue import DEFAULT_MARK as PASS_MARK  # the Cnam pass mark of a unit (/20)
from lms.results.services.corrections import correct_result
from lms.results.services.history import announce_published, apply_value, record_history
from lms.results.services.refusals import (
    CorrectionRefused,
    JuryBeforeExam,
    PublicationChanged,
    PublicationTooEarly,
    PublishedResultChange,
    SheetLocked,
    SheetRejected,
    VersionConflict,
)
from lms.results.services.sheets import (
    exam_date,
    jury_date,
    lock_sheet,
    publication_early,
    publication_key,
    publish_sheet,
    save_sheet,
    set_jury_date,
    sheet_locked,
    sheet_registrations,
    to_publish,
)
from lms.results.services.values import (
    SOURCE_SHEET,
    RowInput,
    Value,
    parse_grade,
    read_value,
    snapshot,
    value_of,
)

__all__ = [
    "CorrectionRefused",
    "JuryBeforeExam",
    "PASS_MARK",
    "PublicationChanged",
    "PublicationTooEarly",
    "PublishedResultChange",
    "RowInput",
    "SOURCE_SHEET",
    "SheetLocked",
    "SheetRejected",
    "Value",
    "VersionConflict",
    "announce_published",
    "apply_value",
    "correct_result",
    "exam_date",
    "jury_date",
    "lock_sheet",
    "parse_grade",
    "publication_early",
    "publication_key",
    "publish_sheet",
    "read_value",
    "record_history",
    "save_sheet",
    "set_jury_date",
    "sheet_locked",
    "sheet_registrations",
    "snapshot",
    "to_publish",
    "value_of",
]
