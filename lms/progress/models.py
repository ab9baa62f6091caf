"""Stored audits: one snapshot per enrolment, rewritten in the transaction that changes credits."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.base import enum_type
from lms.extensions import db

if TYPE_CHECKING:
    from lms.intakes.models import Enrolment


class AuditStatus(enum.StrEnum):
    COMPLETE = "complete"
    IN_PROGRESS = "in_progress"
    INCOMPLETE = "incomplete"


class ProgressSnapshot(db.Model):
    __tablename__ = "progress_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"), unique=True)
    status: Mapped[AuditStatus] = mapped_column(enum_type(AuditStatus, "audit_status"))
    earned_ects: Mapped[Decimal] = mapped_column(sa.Numeric(6, 1))
    # Validated ECTS that count toward the programme (lms.progress.audit.figures): earned_ects less what
    # a group holds beyond its rule. What pages and reports call "validated that count here".
    counted_ects: Mapped[Decimal] = mapped_column(sa.Numeric(6, 1), server_default="0")
    in_progress_ects: Mapped[Decimal] = mapped_column(sa.Numeric(6, 1))
    missing_ects: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 1))  # NULL: cannot be completed
    result: Mapped[dict[str, Any]]
    computed_at: Mapped[datetime]

    enrolment: Mapped[Enrolment] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "earned_ects >= 0 AND in_progress_ects >= 0 AND (missing_ects IS NULL OR missing_ects >= 0)",
            name="ects_not_negative",
        ),
    )


class StudyPlan(db.Model):
    """A learner's plan to complete one enrolment: their preferences, the semester-by-semester
    schedule lms proposed (and they adjusted), and whether it still works.

    ``preferences``: pace (units or ECTS per semester), modalities, centres. ``schedule``: a list of
    terms, each ``{"year": 2027, "semester": "S1", "units": [{"code", "offering_id", "assumed",
    "pinned"}]}``. ``pinned`` / ``removed``: unit codes the learner fixed or excluded.
    ``problems``: why the plan no longer works, as of ``checked_at``.
    """

    __tablename__ = "study_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"), unique=True)
    preferences: Mapped[dict[str, Any]]
    pinned: Mapped[list[Any]]
    removed: Mapped[list[Any]]
    schedule: Mapped[list[Any]]
    completion_year: Mapped[int | None]
    completion_semester: Mapped[str | None] = mapped_column(sa.String(2))
    works: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    problems: Mapped[list[Any]]
    saved_at: Mapped[datetime]
    checked_at: Mapped[datetime]

    enrolment: Mapped[Enrolment] = relationship()


class CredentialClaim(db.Model):
    """A programme (a certificate, typically) whose audit became complete for a learner, enrolled or
    not: remembered so the learner is told once ("you can claim CS6800A")."""

    __tablename__ = "credential_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    programme_version_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_versions.id", ondelete="CASCADE"))
    complete_since: Mapped[datetime]
    notified_at: Mapped[datetime | None]

    __table_args__ = (sa.UniqueConstraint("learner_id", "programme_version_id"),)
