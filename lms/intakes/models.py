"""Intakes (a programme version opened for a year at a centre), applications and enrolments."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Funding
from lms.core.base import TimestampMixin, enum_type
from lms.core.holdings import tracks_holdings
from lms.extensions import db
from lms.timetable.models import Modality

if TYPE_CHECKING:
    from lms.accounts.models import Learner, User
    from lms.catalog.models import ProgrammeVersion
    from lms.timetable.models import Centre


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    MOVED = "moved"  # moved to a newer programme version


class Intake(TimestampMixin, db.Model):
    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_version_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_versions.id", ondelete="RESTRICT"))
    academic_year: Mapped[int]
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id", ondelete="RESTRICT"))
    modality: Mapped[Modality] = mapped_column(enum_type(Modality, "modality"))
    capacity: Mapped[int | None]
    applications_open_on: Mapped[date]
    applications_close_on: Mapped[date]
    starts_on: Mapped[date]

    programme_version: Mapped[ProgrammeVersion] = relationship()
    centre: Mapped[Centre] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("programme_version_id", "academic_year", "centre_id", "modality"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("applications_close_on >= applications_open_on", name="window_order"),
    )


class Application(TimestampMixin, db.Model):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    intake_id: Mapped[int] = mapped_column(sa.ForeignKey("intakes.id", ondelete="RESTRICT"), index=True)
    prior_level: Mapped[int | None]
    diplomas: Mapped[str | None] = mapped_column(sa.Text)
    current_job: Mapped[str | None] = mapped_column(sa.String(200))
    years_experience: Mapped[int | None]
    funding: Mapped[Funding | None] = mapped_column(enum_type(Funding, "funding"))
    vapp_requested: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus, "application_status"), default=ApplicationStatus.DRAFT, server_default="draft"
    )
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    candidate: Mapped[User] = relationship(foreign_keys=[candidate_id])
    intake: Mapped[Intake] = relationship()
    documents: Mapped[list[ApplicationDocument]] = relationship(back_populates="application")

    __table_args__ = (
        sa.UniqueConstraint("candidate_id", "intake_id"),
        sa.CheckConstraint("prior_level IS NULL OR prior_level BETWEEN 1 AND 8", name="prior_level_range"),
        sa.CheckConstraint("years_experience IS NULL OR years_experience >= 0", name="experience_not_negative"),
    )


class ApplicationDocument(db.Model):
    """A PDF uploaded with an application, stored outside the web root under ``stored_name``."""

    __tablename__ = "application_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime]

    application: Mapped[Application] = relationship(back_populates="documents")

    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="size_positive"),)


@tracks_holdings()
class Enrolment(TimestampMixin, db.Model):
    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="RESTRICT"), index=True)
    programme_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_versions.id", ondelete="RESTRICT"), index=True
    )
    intake_id: Mapped[int | None] = mapped_column(sa.ForeignKey("intakes.id", ondelete="SET NULL"))
    status: Mapped[EnrolmentStatus] = mapped_column(
        enum_type(EnrolmentStatus, "enrolment_status"), default=EnrolmentStatus.ACTIVE, server_default="active"
    )
    enrolled_on: Mapped[date]
    ended_on: Mapped[date | None]

    learner: Mapped[Learner] = relationship()
    programme_version: Mapped[ProgrammeVersion] = relationship()
    intake: Mapped[Intake | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("learner_id", "programme_version_id"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= enrolled_on", name="dates_order"),
    )
