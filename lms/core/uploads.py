"""Uploaded files kept between a dry-run preview and its confirmation (catalogue files, grade
files, participants reports): one store, configured per kind.

The bytes stay server-side under a random token, never in the session cookie; the confirmation
re-reads and re-previews those very bytes. An upload is bound to the user who sent it and to what
it was sent for (a sheet, a meeting...), and expires after ``<PREFIX>_TTL`` seconds. Files live
under the instance folder (``<PREFIX>_FOLDER`` overrides it); ``<PREFIX>_MAX_BYTES`` caps their
size, checked by :func:`file_size_limit` on the upload form.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
DEFAULT_TTL = 3600
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
META_SUFFIX = ".json"


def display_name(filename: str | None, default: str = "upload") -> str:
    """The base name of a client-given file name (no folders, printable, 120 characters at most),
    for messages."""
    name = PureWindowsPath(Path(filename or "").name).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())[:120]
    return name or default


@dataclass(frozen=True)
class StoredUpload:
    token: str
    filename: str
    data: bytes
    meta: Mapping[str, Any] = field(default_factory=dict)  # what was kept beside the bytes


class UploadStore:
    """The uploads of one kind: ``name`` names the folder (``<instance>/<name>-uploads``),
    ``config_prefix`` the settings (``CATALOG_UPLOAD`` → ``CATALOG_UPLOAD_FOLDER`` ...)."""

    def __init__(self, name: str, config_prefix: str, suffix: str = ".bin", default_filename: str = "upload"):
        self.name = name
        self.config_prefix = config_prefix
        self.suffix = suffix
        self.default_filename = default_filename

    def _setting(self, key: str, default: Any) -> Any:
        return current_app.config.get(f"{self.config_prefix}_{key}", default)

    def max_bytes(self) -> int:
        return int(self._setting("MAX_BYTES", DEFAULT_MAX_BYTES))

    def ttl(self) -> float:
        return float(self._setting("TTL", DEFAULT_TTL))

    def folder(self) -> Path:
        configured = self._setting("FOLDER", None)
        return Path(configured) if configured else Path(current_app.instance_path) / f"{self.name}-uploads"

    def display_name(self, filename: str | None) -> str:
        return display_name(filename, self.default_filename)

    def store(self, data: bytes, filename: str, *, user_id: int, **meta: Any) -> str:
        """Keep ``data`` for ``user_id``'s confirmation with ``meta`` (JSON values: what the upload
        is bound to and what the preview chose); the token to confirm with."""
        folder = self.folder()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.purge_expired()
        token = secrets.token_urlsafe(32)
        (folder / f"{token}{self.suffix}").write_bytes(data)
        record = {**meta, "filename": filename, "user_id": user_id, "stored_at": time.time()}
        (folder / f"{token}{META_SUFFIX}").write_text(json.dumps(record), encoding="utf-8")
        return token

    def fetch(self, token: str | None, *, user_id: int, **bound: Any) -> StoredUpload | None:
        """The upload of ``token`` if it exists, belongs to ``user_id``, was stored with the same
        values as ``bound`` and has not expired."""
        if not token or not TOKEN.match(token):
            return None
        folder = self.folder()
        try:
            meta = json.loads((folder / f"{token}{META_SUFFIX}").read_text(encoding="utf-8"))
            data = (folder / f"{token}{self.suffix}").read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("user_id") != user_id:
            return None
        if any(meta.get(key) != value for key, value in bound.items()):
            return None
        try:
            age = time.time() - float(meta.get("stored_at", 0))
        except (TypeError, ValueError):
            return None
        if age > self.ttl():
            self.discard(token)
            return None
        return StoredUpload(token, self.display_name(meta.get("filename")), data, meta)

    def discard(self, token: str | None) -> None:
        if not token or not TOKEN.match(token):
            return
        for suffix in (self.suffix, META_SUFFIX):
            (self.folder() / f"{token}{suffix}").unlink(missing_ok=True)

    def purge_expired(self) -> int:
        """Delete the uploads older than the time limit; how many were deleted."""
        folder = self.folder()
        if not folder.is_dir():
            return 0
        limit = time.time() - self.ttl()
        removed = 0
        for path in folder.iterdir():
            if path.suffix in {self.suffix, META_SUFFIX} and TOKEN.match(path.stem):
                try:
                    if path.stat().st_mtime < limit:
                        path.unlink()
                        removed += path.suffix == self.suffix
                except OSError:
                    continue
        return removed


def file_size_limit(store: UploadStore):
    """A form validator: the uploaded file is not empty and not larger than ``store`` accepts
    (no file: left to ``FileRequired`` or ``Optional``)."""

    def check(_form, field) -> None:
        storage = field.data
        if storage is None or isinstance(storage, str):
            return
        stream = storage.stream
        size = stream.seek(0, 2)
        stream.seek(0)
        if size > store.max_bytes():
            raise ValidationError(_l("The file is larger than %(size)d KiB.", size=store.max_bytes() // 1024))
        if size == 0:
            raise ValidationError(_l("The file is empty."))

    return check
