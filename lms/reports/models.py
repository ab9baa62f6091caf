"""Report summaries: aggregates the task queue keeps current, so a report page reads a few
thousand rows instead of grouping millions of results at each request."""

from __future__ import annotations

from datetime import datetime

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
