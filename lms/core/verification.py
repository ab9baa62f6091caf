"""One verification mechanism for every document lms issues (certificates, transcripts...).

Issuing a document records it (:class:`IssuedDocument`: its kind, the id of what it is about in
its area, when, a random public code); the document prints the code and a QR code of its public
address ``/verify/<code>``. Anyone with the code can look it up: the public page shows what was
issued, to whom, when, and whether it is still valid (a revoked document says so).

Areas describe their own kinds: :func:`register_kind` gives, for a kind, a function that turns a
record into a :class:`Described` (the facts the public page may show, nothing more). Core knows no
area: it stores codes and answers look-ups. Services flush, never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.time import utcnow
from lms.extensions import db

CODE_BYTES = 18  # token_urlsafe(18): 24 characters, 144 random bits
MIN_CODE, MAX_CODE = 16, 64


class IssuedDocument(db.Model):
    """A document issued with a public verification code. ``subject_id`` is the id of what the
    document is about in its area's table (an award, a learner): its kind says which."""

    __tablename__ = "issued_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    code: Mapped[str] = mapped_column(sa.String(MAX_CODE), unique=True)
    subject_id: Mapped[int]
    issued_at: Mapped[datetime]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    revoked_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint("length(code) >= 16", name="code_long_enough"),
        sa.Index("ix_issued_documents_kind_subject_id", "kind", "subject_id"),
    )


@dataclass(frozen=True)
class Described:
    """What the public page shows of a document: a title (what), a holder (to whom), the facts
    (label, value) it may disclose, and whether the area still holds it valid."""

    title: str
    holder: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    valid: bool = True
    revoked_on: datetime | None = None


Describer = Callable[[IssuedDocument], Described | None]
_KINDS: dict[str, Describer] = {}
PAGE_ENDPOINT = "core.verify"  # the public page (lms.core.views)


def register_kind(kind: str, describe: Describer) -> None:
    """Declare a document kind and how its public page describes a record of it."""
    _KINDS[kind] = describe


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def issue(
    kind: str, subject_id: int, *, code: str | None = None, details: dict[str, Any] | None = None
) -> IssuedDocument:
    """Record a document of ``kind`` about ``subject_id``, with a fresh code (or ``code``)."""
    if kind not in _KINDS:
        raise ValueError(f"unknown document kind: {kind}")
    document = IssuedDocument(
        kind=kind, code=code or new_code(), subject_id=subject_id, issued_at=utcnow(), details=details or {}
    )
    db.session.add(document)
    db.session.flush()
    return document


def revoke(kind: str, subject_id: int, when: datetime | None = None) -> None:
    """Every document of ``kind`` about ``subject_id`` is no longer valid."""
    db.session.execute(
        sa.update(IssuedDocument)
        .where(
            IssuedDocument.kind == kind, IssuedDocument.subject_id == subject_id, IssuedDocument.revoked_at.is_(None)
        )
        .values(revoked_at=when or utcnow())
    )


def lookup(code: str | None) -> IssuedDocument | None:
    """The document of a code (None for a malformed or unknown one)."""
    text = (code or "").strip()
    if not MIN_CODE <= len(text) <= MAX_CODE:
        return None
    return db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.code == text))


def describe(document: IssuedDocument) -> Described | None:
    """The public facts of ``document``, by its kind's describer (None: nothing to show)."""
    describer = _KINDS.get(document.kind)
    if describer is None:
        return None
    described = describer(document)
    if described is None or document.revoked_at is None:
        return described
    return Described(described.title, described.holder, described.facts, False, document.revoked_at)


def verification_url(code: str) -> str:
    """The absolute public address of ``code``: from the request's host when there is a request,
    from ``PUBLIC_URL`` otherwise."""
    if has_request_context():
        return url_for(PAGE_ENDPOINT, code=code, _external=True)
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    return f"{base}/verify/{code}"


def qr_png_data_uri(url: str) -> str:
    """A PNG QR code of ``url`` (embedded as an image in a PDF, so it can be read back from it)."""
    import segno

    return segno.make(url, error="m").png_data_uri(scale=6, border=4)
