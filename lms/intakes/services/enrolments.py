"""Enrolments made by administrators: a learner enrolled directly (a certificate that needs no
application), and an enrolment moved to a newer version of the same programme, with a preview of
what the move changes in the audit: the units whose standing changes, as compared by
:func:`lms.progress.audit.whatif.status_changes`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import Learner
from lms.catalog.models import ProgrammeVersion
from lms.core.holdings import holdings_changed
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.intakes.services import IntakeRuleError
from lms.progress.audit.engine import audit
from lms.progress.audit.whatif import UnitChange, status_changes
from lms.progress.queries import catalogue_from_database, learner_record


@dataclass(frozen=True)
class MovePreview:
    before: dict[str, Any]
    after: dict[str, Any]
    changes: list[UnitChange]  # lms.progress.audit.whatif.UnitChange: unit, before, after (Standing), kind

    @property
    def ects_delta(self) -> float:
        return float(self.after["earned_ects"]) - float(self.before["earned_ects"])


def enrol_directly(learner: Learner, version: ProgrammeVersion, today: date) -> Enrolment:
    """Enrol an existing learner on ``version`` (no intake), then re-audit them."""
    existing = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.learner_id == learner.id, Enrolment.programme_version_id == version.id)
    )
    if existing is not None and existing.status in (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED):
        raise IntakeRuleError(_("The learner is already enrolled on this programme version."), "programme_version_id")
    if existing is None:
        existing = Enrolment(learner_id=learner.id, programme_version_id=version.id)
        db.session.add(existing)
    existing.intake_id = None
    existing.status = EnrolmentStatus.ACTIVE
    existing.enrolled_on = today
    existing.ended_on = None
    db.session.flush()
    holdings_changed([learner.id], "enrolled")
    return existing


def newer_versions(enrolment: Enrolment) -> list[ProgrammeVersion]:
    """The versions of the same programme that come after the enrolment's (catalogue order)."""
    current = enrolment.programme_version
    versions = list(current.programme.versions)
    index = next(i for i, version in enumerate(versions) if version.id == current.id)
    return versions[index + 1 :]


def move_preview(enrolment: Enrolment, version: ProgrammeVersion, today: date) -> MovePreview:
    """Audit the learner against the current and the target version, in memory (writes nothing)."""
    _check_move(enrolment, version)
    catalog = catalogue_from_database()
    record = learner_record(enrolment.learner, today)
    current = enrolment.programme_version
    before = audit(
        catalog.programs[(current.programme.code, current.version)], catalog.units, catalog.equivalences, record, today
    )
    after = audit(
        catalog.programs[(version.programme.code, version.version)], catalog.units, catalog.equivalences, record, today
    )
    return MovePreview(before, after, status_changes(before, after))


def _check_move(enrolment: Enrolment, version: ProgrammeVersion) -> None:
    if enrolment.status is not EnrolmentStatus.ACTIVE:
        raise IntakeRuleError(_("Only an enrolment in progress can be moved."))
    if version.id not in {v.id for v in newer_versions(enrolment)}:
        raise IntakeRuleError(_("Choose a newer version of the same programme."), "programme_version_id")
    taken = db.session.scalar(
        sa.select(Enrolment.id).where(
            Enrolment.learner_id == enrolment.learner_id, Enrolment.programme_version_id == version.id
        )
    )
    if taken is not None:
        raise IntakeRuleError(_("The learner already has an enrolment on that version."), "programme_version_id")


def move_enrolment(enrolment: Enrolment, version: ProgrammeVersion, today: date) -> Enrolment:
    """End ``enrolment`` (status moved) and enrol the learner on ``version``, then re-audit."""
    _check_move(enrolment, version)
    enrolment.status = EnrolmentStatus.MOVED
    enrolment.ended_on = max(today, enrolment.enrolled_on)
    moved = Enrolment(
        learner_id=enrolment.learner_id,
        programme_version_id=version.id,
        intake_id=None,
        status=EnrolmentStatus.ACTIVE,
        enrolled_on=today,
    )
    db.session.add(moved)
    db.session.flush()
    holdings_changed([enrolment.learner_id], "enrolment moved")
    return moved
