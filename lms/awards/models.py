"""Awards: a jury decision on a complete enrolment, with a certificate number and a public code."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.base import TimestampMixin
from lms.extensions import db

if TYPE_CHECKING:
    from lms.intakes.models import Enrolment


class Award(TimestampMixin, db.Model):
    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="RESTRICT"), unique=True)
    decided_on: Mapped[date]
    jury: Mapped[str] = mapped_column(sa.String(500))
    mention: Mapped[str | None] = mapped_column(sa.String(50))
    ects: Mapped[Decimal] = mapped_column(sa.Numeric(6, 1))
    certificate_number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    verification_code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)

    enrolment: Mapped[Enrolment] = relationship()

    __table_args__ = (
        sa.CheckConstraint("ects >= 0", name="ects_not_negative"),
        sa.CheckConstraint("length(verification_code) >= 16", name="code_long_enough"),
        sa.CheckConstraint(
            "revoked_at IS NULL OR (revoke_reason IS NOT NULL AND length(revoke_reason) > 0)",
            name="revocation_has_reason",
        ),
    )
