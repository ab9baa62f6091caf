"""Exam results, their append-only history, credits granted without an exam, and substitutions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.base import TimestampMixin, enum_type
from lms.core.holdings import tracks_holdings
from lms.core.time import utcnow
from lms.extensions import db

if TYPE_CHECKING:
    from lms.accounts.models import Learner, User
    from lms.catalog.models import Programme, Unit
    from lms.timetable.models import Registration


class ResultStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Decision(enum.StrEnum):
    """A UA decided without (or beside) a grade."""

    VALIDATED = "validated"
    NOT_VALIDATED = "not_validated"


class HistoryAction(enum.StrEnum):
    CREATE = "create"
    EDIT = "edit"
    PUBLISH = "publish"
    LOCK = "lock"
    CORRECTION = "correction"
    IMPORT = "import"


class CreditSource(enum.StrEnum):
    VES = "ves"
    VAE = "vae"
    DISPENSE = "dispense"
    TRANSFER = "transfer"


def _published_or_was(result: Result) -> bool:
    """Only published results reach the audit: a draft saved again concerns nobody."""
    return (
        result.status == ResultStatus.PUBLISHED
        or ResultStatus.PUBLISHED in sa.inspect(result).attrs.status.history.deleted
    )


@tracks_holdings(through=("registration_id", "registrations", "id"), when=_published_or_was)
class Result(TimestampMixin, db.Model):
    """One learner's result for one offering in one exam session (1 or 2).

    ``version`` is an optimistic-locking counter: SQLAlchemy adds ``WHERE version = ?`` to every
    UPDATE, so a concurrent edit fails instead of overwriting silently.
    """

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id", ondelete="RESTRICT"))
    exam_session: Mapped[int]
    grade: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 2))
    absent: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    decision: Mapped[Decision | None] = mapped_column(enum_type(Decision, "decision"))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[ResultStatus] = mapped_column(
        enum_type(ResultStatus, "result_status"), default=ResultStatus.DRAFT, server_default="draft"
    )
    locked: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    decided_on: Mapped[date | None]
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    registration: Mapped[Registration] = relationship()
    history: Mapped[list[ResultHistory]] = relationship(
        back_populates="result", order_by="ResultHistory.id", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("registration_id", "exam_session"),
        sa.CheckConstraint("exam_session IN (1, 2)", name="exam_session_known"),
        sa.CheckConstraint("grade IS NULL OR (grade >= 0 AND grade <= 20)", name="grade_range"),
        sa.CheckConstraint("NOT (absent AND grade IS NOT NULL)", name="absent_without_grade"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )


class ResultHistory(db.Model):
    """Append-only: one row per change of a result. Never updated, never deleted."""

    __tablename__ = "result_history"
    __append_only__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(sa.ForeignKey("results.id", ondelete="RESTRICT"), index=True)
    action: Mapped[HistoryAction] = mapped_column(enum_type(HistoryAction, "history_action"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    old_value: Mapped[dict[str, Any] | None]
    new_value: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(sa.String(40))  # "sheet", "csv", "xlsx", "moodle", "demo", ...
    reason: Mapped[str | None] = mapped_column(sa.Text)

    result: Mapped[Result] = relationship(back_populates="history")
    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        # After publication a result changes only by a correction, and a correction says why.
        sa.CheckConstraint(
            "action <> 'correction' OR (reason IS NOT NULL AND length(trim(reason)) > 0)",
            name="correction_has_reason",
        ),
    )


@tracks_holdings()
class Credit(TimestampMixin, db.Model):
    """A unit validated without an exam (VES, VAE, dispense, transfer). VES names its programme."""

    __tablename__ = "credits"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"))
    source: Mapped[CreditSource] = mapped_column(enum_type(CreditSource, "credit_source"))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id", ondelete="RESTRICT"))
    granted_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)

    learner: Mapped[Learner] = relationship()
    unit: Mapped[Unit] = relationship()
    programme: Mapped[Programme | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("source <> 'ves' OR programme_id IS NOT NULL", name="ves_names_programme"),
        sa.CheckConstraint(
            "revoked_at IS NULL OR (revoke_reason IS NOT NULL AND length(revoke_reason) > 0)",
            name="revocation_has_reason",
        ),
    )


@tracks_holdings()
class Substitution(TimestampMixin, db.Model):
    """An exception for one learner in one programme: ``substitute`` meets the leaf ``replaced``.

    ``substitute_registered``: the learner was only registered for the substitute when it was
    decided (the audit counts it in progress until it is validated). ``counted_ects``: the ECTS the
    director confirmed for a substitute worth fewer than the unit it replaces; the leaf is then
    worth exactly that (None: the ECTS of ``replaced``, formats.md section 2)."""

    __tablename__ = "substitutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="RESTRICT"), index=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="RESTRICT"))
    substitute_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"))
    # What it stands for: a unit of the tree, or a free slot of the programme's tree (its code:
    # a slot is no unit, formats.md section 1). Exactly one of the two.
    replaced_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"))
    replaced_slot: Mapped[str | None] = mapped_column(sa.String(12))
    reason: Mapped[str] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_on: Mapped[date]
    substitute_registered: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    counted_ects: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 1))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)

    substitute: Mapped[Unit] = relationship(foreign_keys=[substitute_unit_id])
    replaced: Mapped[Unit | None] = relationship(foreign_keys=[replaced_unit_id])

    @property
    def replaced_code(self) -> str:
        """The code of the unit or free slot it stands for."""
        return self.replaced.code if self.replaced is not None else self.replaced_slot

    __table_args__ = (
        # One live substitution per leaf; revoked ones stay on record beside it.
        sa.Index(
            "uq_substitutions_live_leaf",
            "learner_id",
            "programme_id",
            "replaced_unit_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
        sa.Index(
            "uq_substitutions_live_slot",
            "learner_id",
            "programme_id",
            "replaced_slot",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL AND replaced_slot IS NOT NULL"),
            postgresql_where=sa.text("revoked_at IS NULL AND replaced_slot IS NOT NULL"),
        ),
        sa.CheckConstraint("(replaced_unit_id IS NULL) <> (replaced_slot IS NULL)", name="unit_or_slot"),
        sa.CheckConstraint("substitute_unit_id <> replaced_unit_id", name="distinct_units"),
        sa.CheckConstraint("length(reason) > 0", name="reason_given"),
        sa.CheckConstraint("counted_ects IS NULL OR counted_ects > 0", name="counted_ects_positive"),
    )


@tracks_holdings()
class ActivityDecision(TimestampMixin, db.Model):
    """A UA (professional experience, mémoire, stage...) validated or not by a programme director
    or an administrator, on evidence noted here, outside any grade sheet. Revoking keeps the row."""

    __tablename__ = "activity_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("learners.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"))
    decision: Mapped[Decision] = mapped_column(enum_type(Decision, "decision"))
    grade: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 2))
    decided_on: Mapped[date]
    evidence: Mapped[str] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)

    learner: Mapped[Learner] = relationship()
    unit: Mapped[Unit] = relationship()

    __table_args__ = (
        # One live decision per learner and UA; revoked ones stay on record beside it.
        sa.Index(
            "uq_activity_decisions_live",
            "learner_id",
            "unit_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
        sa.CheckConstraint("grade IS NULL OR (grade >= 0 AND grade <= 20)", name="grade_range"),
        sa.CheckConstraint("length(evidence) > 0", name="evidence_given"),
        sa.CheckConstraint(
            "revoked_at IS NULL OR (revoke_reason IS NOT NULL AND length(revoke_reason) > 0)",
            name="revocation_has_reason",
        ),
    )
