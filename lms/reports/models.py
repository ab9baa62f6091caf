"""Report summaries: aggregates the task queue keeps current, so a report page reads a few
thousand rows instead of grouping millions of results at each request."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class ReportSummary(db.Model):
    """When one summary was last computed (the page says so)."""

    __tablename__ = "report_summaries"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    computed_at: Mapped[datetime]


class UnitResultCount(db.Model):
    """Published results of one unit, academic year and exam session: graded, validated, absent
    (the validation-rate report's figures, :mod:`lms.reports.queries.units`)."""

    __tablename__ = "report_unit_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    academic_year: Mapped[int]
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    exam_session: Mapped[int]
    graded: Mapped[int]
    validated: Mapped[int]
    absent: Mapped[int]

    __table_args__ = (
        sa.UniqueConstraint("academic_year", "unit_id", "exam_session", name="uq_report_unit_results_one_line"),
    )


class LearnerActivity(db.Model):
    """A learner's last registration year (withdrawn ones aside) and last published result: what
    the dropout-risk report needs of millions of rows, kept by the queue."""

    __tablename__ = "report_learner_activity"

    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    last_registration_year: Mapped[int | None]
    last_result_at: Mapped[datetime | None]


class OverviewCount(db.Model):
    """One figure of the administrators' overview panel (learners, active enrolments, ...)."""

    __tablename__ = "report_overview"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[int]


class AwardDuration(db.Model):
    """A median time to diploma, for one filter of the report: ``kind`` "programme" (one line per
    programme, ``programme_id`` that programme), "modality" or "overall" (``programme_id`` the
    programme filter, NULL for every programme); ``academic_year`` the year filter (NULL: every
    year); ``key`` the programme code or the modality ("" unknown)."""

    __tablename__ = "report_award_durations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"))
    academic_year: Mapped[int | None]
    key: Mapped[str] = mapped_column(sa.String(40))
    awards: Mapped[int]
    median_days: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 1))

    __table_args__ = (sa.Index("ix_report_award_durations_filter", "kind", "academic_year", "programme_id"),)


class IntakeApplicationCount(db.Model):
    """Applications of one intake in one status (the intakes report's funnels)."""

    __tablename__ = "report_intake_applications"

    intake_id: Mapped[int] = mapped_column(sa.ForeignKey("intakes.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    applications: Mapped[int]


class DormantEnrolment(db.Model):
    """One line of the dropout-risk list as last computed (:mod:`lms.reports.queries.dropouts`),
    in the list's order by its indexes."""

    __tablename__ = "report_dormant_enrolments"

    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"))
    programme_code: Mapped[str] = mapped_column(sa.String(40))
    version: Mapped[str] = mapped_column(sa.String(40))
    learner_number: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    enrolled_on: Mapped[date] = mapped_column(sa.Date)
    last_registration_year: Mapped[int | None]
    last_result_at: Mapped[datetime | None]

    __table_args__ = (
        sa.Index("ix_report_dormant_enrolments_order", "programme_code", "name", "learner_number", "enrolment_id"),
        sa.Index("ix_report_dormant_enrolments_programme", "programme_id", "name", "learner_number", "enrolment_id"),
    )
