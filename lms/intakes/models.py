"""Intakes (a programme version opened for a year at a centre), applications and enrolments."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

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
    SUSPENDED = "suspended"  # paused: still the learner's enrolment in the programme, not in progress
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
    """A learner's enrolment on a programme version. ``programme_id`` repeats the version's programme
    (filled at flush, see :func:`_fill_programme`) so that the database can keep one active enrolment
    per learner and programme. A move ends this enrolment (moved) and the new one names it in
    ``moved_from_id``; every status change leaves an :class:`EnrolmentEvent`."""

    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="RESTRICT"), index=True)
    programme_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_versions.id", ondelete="RESTRICT"), index=True
    )
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="RESTRICT"))
    intake_id: Mapped[int | None] = mapped_column(sa.ForeignKey("intakes.id", ondelete="SET NULL"))
    moved_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="SET NULL"))
    status: Mapped[EnrolmentStatus] = mapped_column(
        enum_type(EnrolmentStatus, "enrolment_status"), default=EnrolmentStatus.ACTIVE, server_default="active"
    )
    enrolled_on: Mapped[date]
    ended_on: Mapped[date | None]

    learner: Mapped[Learner] = relationship()
    programme_version: Mapped[ProgrammeVersion] = relationship()
    intake: Mapped[Intake | None] = relationship()
    moved_from: Mapped[Enrolment | None] = relationship(remote_side=[id])
    events: Mapped[list[EnrolmentEvent]] = relationship(
        back_populates="enrolment", order_by="EnrolmentEvent.id", passive_deletes=True
    )

    __table_args__ = (
        sa.UniqueConstraint("learner_id", "programme_version_id"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= enrolled_on", name="dates_order"),
        sa.Index(
            "uq_enrolments_one_active_per_programme",
            "learner_id",
            "programme_id",
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        ),
    )

    @property
    def first_enrolled_on(self) -> date:
        """The day the learner first enrolled in the programme, through the moves."""
        enrolment = self
        while enrolment.moved_from is not None:
            enrolment = enrolment.moved_from
        return enrolment.enrolled_on


class EnrolmentEvent(db.Model):
    """One status change of an enrolment: from what (None: the enrolment began), to what, on which
    day, recorded by whom (None: the system, the demo or a command) and why."""

    __tablename__ = "enrolment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[EnrolmentStatus | None] = mapped_column(enum_type(EnrolmentStatus, "enrolment_event_from"))
    to_status: Mapped[EnrolmentStatus] = mapped_column(enum_type(EnrolmentStatus, "enrolment_event_to"))
    occurred_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(sa.Text)

    enrolment: Mapped[Enrolment] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


def record_change(enrolment: Enrolment, on: date, actor_id: int | None, note: str | None = None) -> None:
    """Say who changes ``enrolment``'s status, on which day and why: the event written at the next
    flush carries it (without it, the flush records the change with the current user, if any)."""
    enrolment.__dict__["_lms_change"] = (on, actor_id, note)


def _current_user_id() -> int | None:
    """The signed-in user, if the request already loaded them (no query: this runs in a flush)."""
    from flask import g, has_request_context

    user = g.get("_login_user") if has_request_context() else None
    return user.id if getattr(user, "is_authenticated", False) else None


@sa.event.listens_for(Enrolment, "before_insert")
@sa.event.listens_for(Enrolment, "before_update")
def _fill_programme(mapper, connection, enrolment: Enrolment) -> None:
    """Keep ``programme_id`` the programme of ``programme_version_id``."""
    state = sa.inspect(enrolment)
    if enrolment.programme_id is not None and not state.attrs.programme_version_id.history.has_changes():
        return
    version = state.dict.get("programme_version")
    if version is not None and version.id == enrolment.programme_version_id and version.programme_id is not None:
        enrolment.programme_id = version.programme_id
        return
    from lms.catalog.models import ProgrammeVersion

    enrolment.programme_id = connection.scalar(
        sa.select(ProgrammeVersion.programme_id).where(ProgrammeVersion.id == enrolment.programme_version_id)
    )


@sa.event.listens_for(Session, "before_flush")
def _record_status_changes(session: Session, flush_context, instances) -> None:
    """Every new enrolment and every status change leaves an event, whoever wrote it."""
    # session.new builds a new set at each access: read once (each flush sees every pending object).
    for enrolment in [*session.new, *session.dirty]:
        if not isinstance(enrolment, Enrolment):
            continue
        state = sa.inspect(enrolment)
        history = state.attrs.status.history
        is_new = state.pending
        if not is_new and not history.has_changes():
            continue
        before = None if is_new else (history.deleted[0] if history.deleted else None)
        after = enrolment.status or EnrolmentStatus.ACTIVE
        if before is not None and EnrolmentStatus(before) is EnrolmentStatus(after):
            continue
        change = enrolment.__dict__.pop("_lms_change", None)
        if change is None:
            on = (enrolment.ended_on if after in ENDED else None) or (
                enrolment.enrolled_on if is_new else datetime.now(UTC).date()
            )
            change = (on, _current_user_id(), None)
        on, actor_id, note = change
        session.add(
            EnrolmentEvent(
                enrolment=enrolment,
                from_status=before,
                to_status=after,
                occurred_on=on,
                actor_id=actor_id,
                note=note,
            )
        )


ENDED = frozenset({EnrolmentStatus.COMPLETED, EnrolmentStatus.WITHDRAWN, EnrolmentStatus.MOVED})
