"""Grade files uploaded on a sheet, kept between the dry-run preview and the confirmation
(:mod:`lms.core.uploads`, settings ``GRADE_UPLOAD_*``). An upload is bound to the user who sent it
and to the sheet (offering and exam session), and keeps the importer, the grade column and the maximum ("out of") chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lms.core.uploads import DEFAULT_MAX_BYTES, DEFAULT_TTL, TOKEN, UploadStore

EXTENSIONS = ("csv", "txt", "xlsx")

files = UploadStore("grade", "GRADE_UPLOAD", default_filename="grades")
store = files.store  # store(data, filename, user_id=, offering_id=, session=, importer=, column=, out_of=)
discard = files.discard
display_name = files.display_name
max_bytes = files.max_bytes

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TTL",
    "EXTENSIONS",
    "TOKEN",
    "StoredGradeUpload",
    "discard",
    "display_name",
    "fetch",
    "files",
    "max_bytes",
    "store",
]


@dataclass(frozen=True)
class StoredGradeUpload:
    token: str
    filename: str
    importer: str
    column: str | None
    data: bytes
    out_of: Decimal | None = None  # the maximum the user gave; None: the file's, else 20


def fetch(token: str | None, *, user_id: int, offering_id: int, session: int) -> StoredGradeUpload | None:
    """The upload of ``token`` if it exists, belongs to this user and sheet and has not expired."""
    stored = files.fetch(token, user_id=user_id, offering_id=offering_id, session=session)
    if stored is None or not isinstance(stored.meta.get("importer"), str):
        return None
    column = stored.meta.get("column")
    return StoredGradeUpload(
        stored.token,
        stored.filename,
        stored.meta["importer"],
        column if isinstance(column, str) else None,
        stored.data,
        _decimal(stored.meta.get("out_of")),
    )


def _decimal(text: object) -> Decimal | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None
