"""Uploaded files kept between a dry-run preview and its confirmation (catalogue files, grade
files, participants reports): one store, configured per kind.

The bytes stay server-side under a random token, never in the session cookie; the confirmation
re-reads and re-previews those very bytes. An upload is bound to the user who sent it and to what
it was sent for (a sheet, a meeting...), and expires after ``<PREFIX>_TTL`` seconds. Files live
in the shared storage (:mod:`lms.core.storage`, the database by default), so the confirmation may
reach another web host than the preview; ``<PREFIX>_MAX_BYTES`` caps their size, checked by
:func:`file_size_limit` on the upload form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

from flask import current_app
from wtforms.validators import ValidationError

from lms.core import storage
from lms.core.i18n import lazy_gettext as _l
from lms.core.tasks import periodic
from lms.core.time import utcnow

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
DEFAULT_TTL = 3600
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
STORES: dict[str, UploadStore] = {}  # every kind of upload, by storage kind (``lms storage purge-uploads``)


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
    """The uploads of one kind: ``name`` names their kind in the storage (``upload:<name>``),
    ``config_prefix`` the settings (``CATALOG_UPLOAD`` → ``CATALOG_UPLOAD_MAX_BYTES`` ...)."""

    def __init__(
        self,
        name: str,
        config_prefix: str,
        media_type: str = storage.DEFAULT_MEDIA_TYPE,
        default_filename: str = "upload",
    ):
        self.name = name
        self.kind = f"upload:{name}"
        self.config_prefix = config_prefix
        self.media_type = media_type
        self.default_filename = default_filename
        STORES[self.kind] = self

    def _setting(self, key: str, default: Any) -> Any:
        return current_app.config.get(f"{self.config_prefix}_{key}", default)

    def max_bytes(self) -> int:
        return int(self._setting("MAX_BYTES", DEFAULT_MAX_BYTES))

    def ttl(self) -> float:
        return float(self._setting("TTL", DEFAULT_TTL))

    def display_name(self, filename: str | None) -> str:
        return display_name(filename, self.default_filename)

    def store(self, data: bytes, filename: str, *, user_id: int, **meta: Any) -> str:
        """Keep ``data`` for ``user_id``'s confirmation with ``meta`` (JSON values: what the upload
        is bound to and what the preview chose); the token to confirm with. Flushed in the
        request's transaction: a request that fails keeps nothing."""
        self.purge_expired()
        return storage.put(self.kind, data, name=filename, media_type=self.media_type, user_id=user_id, meta=meta)

    def fetch(self, token: str | None, *, user_id: int, **bound: Any) -> StoredUpload | None:
        """The upload of ``token`` if it exists, belongs to ``user_id``, was stored with the same
        values as ``bound`` and has not expired."""
        if not token or not TOKEN.match(token):
            return None
        stored = storage.get(token, kind=self.kind)
        if stored is None or stored.user_id != user_id:
            return None
        meta = dict(stored.meta)
        if any(meta.get(key) != value for key, value in bound.items()):
            return None
        if (utcnow() - stored.created_at).total_seconds() > self.ttl():
            self.discard(token)
            return None
        return StoredUpload(token, self.display_name(stored.name), stored.content, meta)

    def discard(self, token: str | None) -> None:
        if token and TOKEN.match(token):
            storage.delete(token)

    def purge_expired(self) -> int:
        """Delete the uploads older than the time limit; how many were deleted."""
        return storage.purge_older_than(self.kind, self.ttl())


def purge_all_expired() -> dict[str, int]:
    """Delete the expired uploads of every kind; how many of each."""
    return {kind: store.purge_expired() for kind, store in sorted(STORES.items())}


@periodic(minute="7")
def purge_abandoned_uploads() -> int:
    """Each hour: the uploads nobody confirmed in time leave the shared storage (no cron needed)."""
    return sum(purge_all_expired().values())


def file_size_limit(store: UploadStore):
    """A form validator: the uploaded file is not empty and not larger than ``store`` accepts
    (no file: left to ``FileRequired`` or ``Optional``)."""

    def check(_form, field) -> None:
        upload = field.data
        if upload is None or isinstance(upload, str):
            return
        stream = upload.stream
        size = stream.seek(0, 2)
        stream.seek(0)
        if size > store.max_bytes():
            raise ValidationError(_l("The file is larger than %(size)d KiB.", size=store.max_bytes() // 1024))
        if size == 0:
            raise ValidationError(_l("The file is empty."))

    return check
