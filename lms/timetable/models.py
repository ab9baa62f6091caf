"""Centres, offerings (a unit taught in a year, semester, modality, centre), meetings,
registrations and attendance (formats.md section 5)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.base import TimestampMixin, enum_type
from lms.core.holdings import tracks_holdings
from lms.extensions import db

if TYPE_CHECKING:
    from lms.accounts.models import Learner, User
    from lms.catalog.models import Unit


class Semester(enum.StrEnum):
    S1 = "S1"  # October to February
    S2 = "S2"  # February to June
    A = "A"  # annual


def semester_order(column):
    """SQL sort key putting S1, S2 and then annual offerings in calendar order."""
    return sa.case({Semester.S1: 1, Semester.S2: 2}, value=column, else_=3)


class Modality(enum.StrEnum):
    PRESENTIEL_JOUR = "presentiel_jour"
    PRESENTIEL_SOIR = "presentiel_soir"
    HYBRIDE_JOUR = "hybride_jour"
    HYBRIDE_SOIR = "hybride_soir"
    FOAD = "foad"
    DISTANCE_PLANIFIEE_JOUR = "distance_planifiee_jour"
    DISTANCE_PLANIFIEE_SOIR = "distance_planifiee_soir"


class MeetingMode(enum.StrEnum):
    IN_PERSON = "in_person"
    REMOTE = "remote"
    BOTH = "both"


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"


class AttendanceStatus(enum.StrEnum):
    PRESENT_IN_PERSON = "present_in_person"
    PRESENT_REMOTE = "present_remote"
    ABSENT = "absent"
    EXCUSED = "excused"


class Centre(db.Model):
    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    city: Mapped[str] = mapped_column(sa.String(100))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Paris", server_default="Europe/Paris")


offering_tutors = sa.Table(
    "offering_tutors",
    db.metadata,
    sa.Column("offering_id", sa.ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


@tracks_holdings(through=("id", "registrations", "offering_id"), columns=("unit_id", "academic_year"))
class Offering(TimestampMixin, db.Model):
    __tablename__ = "offerings"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"))
    academic_year: Mapped[int]
    semester: Mapped[Semester] = mapped_column(enum_type(Semester, "semester"))
    modality: Mapped[Modality] = mapped_column(enum_type(Modality, "modality"))
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id", ondelete="RESTRICT"))
    capacity: Mapped[int | None]
    registration_opens_on: Mapped[date | None]
    registration_closes_on: Mapped[date | None]
    exam1_on: Mapped[date | None]
    exam2_on: Mapped[date | None]
    jury1_on: Mapped[date | None]
    jury2_on: Mapped[date | None]

    unit: Mapped[Unit] = relationship()
    centre: Mapped[Centre] = relationship()
    tutors: Mapped[list[User]] = relationship(secondary=offering_tutors)
    registrations: Mapped[list[Registration]] = relationship(back_populates="offering")

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "academic_year", "semester", "modality", "centre_id"),
        sa.CheckConstraint("academic_year BETWEEN 1990 AND 2100", name="year_range"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint(
            "registration_closes_on IS NULL OR registration_opens_on IS NULL "
            "OR registration_closes_on >= registration_opens_on",
            name="registration_window_order",
        ),
        sa.Index("ix_offerings_year_unit", "academic_year", "unit_id"),
    )


class Meeting(db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    mode: Mapped[MeetingMode] = mapped_column(enum_type(MeetingMode, "meeting_mode"))
    room: Mapped[str | None] = mapped_column(sa.String(100))
    video_url: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[MeetingStatus] = mapped_column(
        enum_type(MeetingStatus, "meeting_status"), default=MeetingStatus.SCHEDULED, server_default="scheduled"
    )
    notice: Mapped[str | None] = mapped_column(sa.Text)
    # Bumped on every change a calendar client must see (moved, cancelled): iCalendar SEQUENCE.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime | None]

    offering: Mapped[Offering] = relationship()

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    )


@tracks_holdings(columns=("learner_id", "offering_id", "status"))
class Registration(TimestampMixin, db.Model):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="RESTRICT"), index=True)
    offering_id: Mapped[int] = mapped_column(sa.ForeignKey("offerings.id", ondelete="RESTRICT"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_type(RegistrationStatus, "registration_status"), default=RegistrationStatus.REGISTERED
    )
    status_changed_at: Mapped[datetime | None]

    learner: Mapped[Learner] = relationship()
    offering: Mapped[Offering] = relationship(back_populates="registrations")

    __table_args__ = (sa.UniqueConstraint("learner_id", "offering_id"),)


class Attendance(db.Model):
    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(enum_type(AttendanceStatus, "attendance_status"))
    minutes_connected: Mapped[int | None]
    recorded_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    registration: Mapped[Registration] = relationship()
    meeting: Mapped[Meeting] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("registration_id", "meeting_id"),
        sa.CheckConstraint("minutes_connected IS NULL OR minutes_connected >= 0", name="minutes_not_negative"),
    )


class CalendarFeed(db.Model):
    """A learner's personal iCalendar feed: the secret token is the whole credential of the URL.
    Revoking deletes the row; a new feed gets a new token."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    last_read_at: Mapped[datetime | None]

    learner: Mapped[Learner] = relationship()


class AttendanceCertificate(db.Model):
    """An attendance certificate as issued: the figures are frozen in ``summary`` so the public
    verification code always shows what was printed, whatever is corrected later."""

    __tablename__ = "attendance_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="RESTRICT"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    issued_at: Mapped[datetime]
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    summary: Mapped[dict[str, Any]]

    learner: Mapped[Learner] = relationship()

    __table_args__ = (sa.CheckConstraint("period_end >= period_start", name="period_order"),)
