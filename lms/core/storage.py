"""One place every file of the application goes through: uploads waiting for their confirmation
(catalogue, grade and participants files), the PDFs of applications, any document kept for later.

Nothing lives on one web host's disk or memory: the default backend keeps the bytes in the
database table ``stored_files`` (:class:`lms.core.models.StoredFile`), written in the request's
own transaction (flushed, never committed), so a rolled-back request leaves no file behind and a
file stored through one host is read through any other. Another backend (an object store) can be
installed as ``app.extensions["lms.storage"]``; it must keep the same promise.

    key = storage.put("upload:catalog", data, name="catalogue.yaml", media_type="application/yaml",
                      user_id=user.id, meta={"offering_id": 3})
    stored = storage.get(key, kind="upload:catalog")   # None: unknown, or of another kind
    storage.delete(key)
    storage.purge_older_than("upload:catalog", timedelta(hours=1))
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import undefer

from lms.core.models import StoredFile
from lms.core.time import utcnow
from lms.extensions import db

EXTENSION_KEY = "lms.storage"
DEFAULT_MEDIA_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class Stored:
    """A file read back: its bytes and what was kept beside them."""

    key: str
    kind: str
    name: str
    media_type: str
    content: bytes
    created_at: datetime
    sha256: str
    user_id: int | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.content)


class Backend(Protocol):
    """Where the bytes go. Writes join the current transaction: a rollback undoes them."""

    def put(
        self,
        kind: str,
        content: bytes,
        *,
        key: str,
        name: str,
        media_type: str,
        user_id: int | None,
        meta: Mapping[str, Any],
    ) -> None: ...

    def get(self, key: str) -> Stored | None: ...

    def delete(self, key: str) -> bool: ...

    def purge_older_than(self, kind: str, before: datetime) -> int: ...


class DatabaseBackend:
    """The default: one row of ``stored_files`` per file, in the session's transaction."""

    def put(self, kind, content, *, key, name, media_type, user_id, meta) -> None:
        db.session.add(
            StoredFile(
                key=key,
                kind=kind,
                name=name[:255],
                media_type=media_type[:100],
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                meta=dict(meta),
                user_id=user_id,
                created_at=utcnow(),
            )
        )
        db.session.flush()

    def get(self, key: str) -> Stored | None:
        row = db.session.scalar(sa.select(StoredFile).where(StoredFile.key == key).options(undefer(StoredFile.content)))
        if row is None:
            return None
        return Stored(
            key=row.key,
            kind=row.kind,
            name=row.name,
            media_type=row.media_type,
            content=bytes(row.content),
            created_at=row.created_at,
            sha256=row.sha256,
            user_id=row.user_id,
            meta=dict(row.meta or {}),
        )

    def delete(self, key: str) -> bool:
        result = db.session.execute(
            sa.delete(StoredFile).where(StoredFile.key == key).execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)

    def purge_older_than(self, kind: str, before: datetime) -> int:
        result = db.session.execute(
            sa.delete(StoredFile)
            .where(StoredFile.kind == kind, StoredFile.created_at < before)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0


_DATABASE = DatabaseBackend()


def backend() -> Backend:
    """The app's backend: ``app.extensions["lms.storage"]`` when set, else the database."""
    return current_app.extensions.get(EXTENSION_KEY) or _DATABASE


def new_key() -> str:
    return secrets.token_urlsafe(32)


def put(
    kind: str,
    content: bytes,
    *,
    name: str,
    media_type: str = DEFAULT_MEDIA_TYPE,
    user_id: int | None = None,
    meta: Mapping[str, Any] | None = None,
) -> str:
    """Keep ``content`` (of ``kind``, shown as ``name``); the new random key to read it with.
    ``user_id``: the user it belongs to (deleting the user deletes it); ``meta``: JSON values kept beside."""
    key = new_key()
    backend().put(kind, bytes(content), key=key, name=name, media_type=media_type, user_id=user_id, meta=meta or {})
    return key


def get(key: str | None, *, kind: str | None = None) -> Stored | None:
    """The file of ``key`` (None when unknown, or not of ``kind`` when given)."""
    if not key or len(key) > 64:
        return None
    stored = backend().get(key)
    if stored is None or (kind is not None and stored.kind != kind):
        return None
    return stored


def delete(key: str | None) -> bool:
    """Forget the file of ``key``; whether there was one."""
    if not key or len(key) > 64:
        return False
    return backend().delete(key)


def purge_older_than(kind: str, age: timedelta | float) -> int:
    """Delete the files of ``kind`` older than ``age`` (a timedelta or seconds); how many."""
    if not isinstance(age, timedelta):
        age = timedelta(seconds=float(age))
    return backend().purge_older_than(kind, utcnow() - age)
