"""The security audit log (logins, failed logins, refused accesses, role and account changes) and
the stored files (uploads and documents kept in the database, :mod:`lms.core.storage`)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.base import enum_type
from lms.core.time import utcnow
from lms.extensions import db


class AuditEvent(enum.StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    LOGOUT = "logout"
    ACCESS_DENIED = "access_denied"
    PASSWORD_CHANGED = "password_changed"
    ROLE_GRANTED = "role_granted"
    ROLE_REVOKED = "role_revoked"
    USER_CREATED = "user_created"
    AWARD_REVOKED = "award_revoked"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    PASSWORD_LINK_SENT = "password_link"  # a one-time link to choose a password was mailed
    PASSWORD_RESET = "password_reset"
    RESULTS_PUBLISHED_EARLY = "published_early"  # grades published before the exam date, confirmed
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    API_WRITE = "api_write"  # a write made with an API token: the token's name is in the details


class AuditLog(db.Model):
    """Append-only: rows are never updated or deleted (guarded in the ORM and by triggers)."""

    __tablename__ = "audit_log"
    __append_only__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    event: Mapped[AuditEvent] = mapped_column(enum_type(AuditEvent, "audit_event"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    path: Mapped[str | None] = mapped_column(sa.String(500))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StoredFile(db.Model):
    """The bytes of one file kept by :mod:`lms.core.storage`'s database backend: an upload waiting
    for its confirmation, an application's PDF... Written in the request's transaction, so a
    rolled-back request leaves none behind; every web host reads the same rows."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)  # random, unguessable
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)  # "upload:catalog", "application-document"...
    name: Mapped[str] = mapped_column(sa.String(255))  # the display (download) name
    media_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)  # loaded only when read
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)  # what the file is bound to (JSON values)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (sa.CheckConstraint("size >= 0", name="size_not_negative"),)


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BackgroundJob(db.Model):
    """Work someone waits for on the task queue (a catalogue-wide re-audit, a ZIP of certificates):
    its progress for the page that polls it, and what it made for download. ``position`` is where a
    job done in batches stands (the last learner id re-audited): a batch that finds the job moved
    on is a duplicate and does nothing, so a job resumes after a consumer restart without
    repeating or skipping anything."""

    __tablename__ = "background_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus, "job_status"), default=JobStatus.QUEUED)
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    position: Mapped[int | None]
    params: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None]
    output_name: Mapped[str | None] = mapped_column(sa.String(200))
    output_type: Mapped[str | None] = mapped_column(sa.String(100))
    output: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)

    __table_args__ = (sa.CheckConstraint("done >= 0 AND total >= 0", name="counts_not_negative"),)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status is JobStatus.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
