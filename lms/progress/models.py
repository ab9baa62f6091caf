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
