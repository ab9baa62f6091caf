"""Awards: a jury decision on a complete enrolment, with a certificate number and a public code.

One valid award per learner and programme, whatever the version: ``learner_id`` and
``programme_id`` repeat the enrolment's (filled on insert from it) so that a partial unique index
on the rows not revoked enforces it. Each award is recorded in the shared verification registry
(:mod:`lms.core.verification`, kind ``certificate``) as it is inserted, whoever inserts it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core import verification
from lms.core.base import TimestampMixin
from lms.core.time import utcnow
from lms.extensions import db

if TYPE_CHECKING:
    from lms.intakes.models import Enrolment


class Award(TimestampMixin, db.Model):
    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="RESTRICT"), unique=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="RESTRICT"))
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="RESTRICT"))
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
        sa.Index(
            "uq_awards_one_valid_per_programme",
            "programme_id",
            "learner_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )


CERTIFICATE = "certificate"  # the kind of document in the verification registry


@sa.event.listens_for(Award, "before_insert")
def _programme_and_learner(_mapper, connection, award: Award) -> None:
    """Copy the enrolment's learner and programme, unless the writer gave them."""
    if award.learner_id is not None and award.programme_id is not None:
        return
    from lms.catalog.models import ProgrammeVersion
    from lms.intakes.models import Enrolment

    row = connection.execute(
        sa.select(Enrolment.learner_id, ProgrammeVersion.programme_id)
        .join(ProgrammeVersion, ProgrammeVersion.id == Enrolment.programme_version_id)
        .where(Enrolment.id == (award.enrolment_id or award.enrolment.id))
    ).one()
    award.learner_id, award.programme_id = row


@sa.event.listens_for(Award, "after_insert")
def _register(_mapper, connection, award: Award) -> None:
    """Every certificate's code can be verified through the shared registry."""
    connection.execute(
        sa.insert(verification.IssuedDocument.__table__).values(
            kind=CERTIFICATE, code=award.verification_code, subject_id=award.id, issued_at=utcnow(), details={}
        )
    )
