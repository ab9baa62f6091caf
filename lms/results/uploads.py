"""Grade files uploaded on a sheet, kept between the dry-run preview and the confirmation.

The same approach as :mod:`lms.catalog.uploads` (whose token pattern and file-name helper it
reuses): the bytes stay under the instance folder (``GRADE_UPLOAD_FOLDER`` overrides it) with a
random token, never in the session cookie. An upload is bound to the user who sent it, the sheet
(offering and exam session), the importer and the grade column, and expires after
``GRADE_UPLOAD_TTL`` seconds. The confirmation re-reads and re-previews those very bytes.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from lms.catalog.uploads import TOKEN, discard_files, display_name, purge_folder

DEFAULT_TTL = 3600
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
EXTENSIONS = ("csv", "txt", "xlsx")

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EXTENSIONS",
    "TOKEN",
    "StoredGradeUpload",
    "discard",
    "display_name",
    "fetch",
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


def max_bytes() -> int:
    return int(current_app.config.get("GRADE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _folder() -> Path:
    configured = current_app.config.get("GRADE_UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "grade-uploads"


def _ttl() -> int:
    return int(current_app.config.get("GRADE_UPLOAD_TTL", DEFAULT_TTL))


def store(
    data: bytes,
    filename: str,
    *,
    user_id: int,
    offering_id: int,
    session: int,
    importer: str,
    column: str | None = None,
) -> str:
    """Keep ``data`` for this user's confirmation on this sheet; the token to confirm with."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    purge_expired()
    token = secrets.token_urlsafe(32)
    (folder / f"{token}.bin").write_bytes(data)
    meta = {
        "filename": filename,
        "user_id": user_id,
        "offering_id": offering_id,
        "session": session,
        "importer": importer,
        "column": column,
        "stored_at": time.time(),
    }
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def fetch(token: str | None, *, user_id: int, offering_id: int, session: int) -> StoredGradeUpload | None:
    """The upload of ``token`` if it exists, belongs to this user and sheet and has not expired."""
    if not token or not TOKEN.match(token):
        return None
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if (
        meta.get("user_id") != user_id
        or meta.get("offering_id") != offering_id
        or meta.get("session") != session
        or not isinstance(meta.get("importer"), str)
    ):
        return None
    if time.time() - float(meta.get("stored_at", 0)) > _ttl():
        discard(token)
        return None
    column = meta.get("column")
    return StoredGradeUpload(
        token,
        display_name(meta.get("filename")),
        meta["importer"],
        column if isinstance(column, str) else None,
        data,
    )


def discard(token: str | None) -> None:
    discard_files(_folder(), token, ".bin")


def purge_expired() -> int:
    """Delete uploads older than the time limit; how many were deleted."""
    return purge_folder(_folder(), _ttl(), ".bin")
