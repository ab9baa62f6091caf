"""Catalogue files uploaded by an administrator, kept between the preview and the confirmation.

The bytes are stored under the instance folder (``CATALOG_UPLOAD_FOLDER`` overrides it) with a
random token, never in the session cookie; the confirmation re-reads and re-plans those very bytes.
An upload belongs to the user who sent it and expires after ``CATALOG_UPLOAD_TTL`` seconds.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from flask import current_app

from lms.catalog import queries
from lms.catalog.services import ImportPlan, plan_import
from lms.progress.audit.catalogue import Catalog, CatalogError, read_catalog

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
DEFAULT_TTL = 3600
DEFAULT_MAX_BYTES = 2 * 1024 * 1024


@dataclass
class Preview:
    """What importing an uploaded file would do: a plan, or the problems that prevent one."""

    filename: str
    plan: ImportPlan | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.problems


@dataclass(frozen=True)
class StoredUpload:
    token: str
    filename: str
    data: bytes


def max_bytes() -> int:
    return int(current_app.config.get("CATALOG_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def display_name(filename: str | None) -> str:
    """The base name of a client-given file name (no folders), for messages."""
    name = PureWindowsPath(Path(filename or "").name).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())[:120]
    return name or "catalogue.yaml"


def preview(data: bytes, filename: str) -> Preview:
    """Read ``data`` as the catalogue file ``filename`` (from a temporary file) and plan its import.

    Problems name ``filename``, not the temporary path. Reads only.
    """
    result = Preview(filename)
    with tempfile.TemporaryDirectory(prefix="lms-catalog-") as folder:
        path = Path(folder) / "upload.yaml"
        path.write_bytes(data)
        prefix = str(path)

        def rename(text: str) -> str:
            return filename + text[len(prefix) :] if text.startswith(prefix) else text

        try:
            catalog = read_catalog([path], known_units=queries.database_unit_codes())
        except CatalogError as error:
            result.problems = [rename(p) for p in error.problems]
            return result
    _rename_origins(catalog, rename)
    result.plan = plan_import(catalog)
    result.problems = result.plan.problems
    return result


def _rename_origins(catalog: Catalog, rename) -> None:
    catalog.unit_origins = {k: rename(v) for k, v in catalog.unit_origins.items()}
    catalog.program_origins = {k: rename(v) for k, v in catalog.program_origins.items()}


# --- storage between preview and confirmation ---------------------------------------------------------


def _folder() -> Path:
    configured = current_app.config.get("CATALOG_UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "catalog-uploads"


def _ttl() -> int:
    return int(current_app.config.get("CATALOG_UPLOAD_TTL", DEFAULT_TTL))


def store(data: bytes, filename: str, user_id: int) -> str:
    """Keep ``data`` for ``user_id``'s confirmation; the token to confirm with."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    purge_expired()
    token = secrets.token_urlsafe(32)
    (folder / f"{token}.yaml").write_bytes(data)
    meta = {"filename": filename, "user_id": user_id, "stored_at": time.time()}
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def fetch(token: str | None, user_id: int) -> StoredUpload | None:
    """The upload of ``token`` if it exists, belongs to ``user_id`` and has not expired."""
    if not token or not TOKEN.match(token):
        return None
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        data = (folder / f"{token}.yaml").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user_id:
        return None
    if time.time() - float(meta.get("stored_at", 0)) > _ttl():
        discard(token)
        return None
    return StoredUpload(token, display_name(meta.get("filename")), data)


def discard(token: str) -> None:
    discard_files(_folder(), token, ".yaml")


def purge_expired() -> int:
    """Delete uploads older than the time limit; how many were deleted."""
    return purge_folder(_folder(), _ttl(), ".yaml")


# Shared with the grade uploads (lms.results.uploads): a token names a data file and a .json.


def discard_files(folder: Path, token: str | None, data_suffix: str) -> None:
    if not token or not TOKEN.match(token):
        return
    for suffix in (data_suffix, ".json"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)


def purge_folder(folder: Path, ttl: float, data_suffix: str) -> int:
    """Delete the uploads of ``folder`` older than ``ttl`` seconds; how many were deleted."""
    if not folder.is_dir():
        return 0
    limit = time.time() - ttl
    removed = 0
    for path in folder.iterdir():
        if path.suffix in {data_suffix, ".json"} and TOKEN.match(path.stem):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed += path.suffix == data_suffix
            except OSError:
                continue
    return removed
