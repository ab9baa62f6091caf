"""Enrolments made by administrators: a learner enrolled directly (a certificate that needs no
application), and an enrolment moved to a newer version of the same programme, with a preview of
what the move changes in the audit: the units whose standing changes, as compared by
:func:`lms.progress.audit.whatif.status_changes`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from lms.accounts.models import Learner, User
from lms.catalog.models import ProgrammeVersion
from lms.core.holdings import holdings_changed
from lms.core.i18n import gettext as _
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus, record_change
from lms.intakes.services import IntakeRuleError, lifecycle
from lms.progress.audit.engine import audit
from lms.progress.audit.figures import counted_ects
from lms.progress.audit.whatif import UnitChange, status_changes
from lms.progress.queries import catalogue_from_database
from lms.progress.records import learner_record


@dataclass(frozen=True)
class MovePreview:
    before: dict[str, Any]
    after: dict[str, Any]
    changes: list[UnitChange]  # lms.progress.audit.whatif.UnitChange: unit, before, after (Standing), kind

    @property
    def counted_before(self) -> Decimal:
        """Validated ECTS that count toward the current version (as the learner's page says)."""
        return counted_ects(self.before)

    @property
    def counted_after(self) -> Decimal:
        return counted_ects(self.after)


def enrol_directly(learner: Learner, version: ProgrammeVersion, today: date, actor: User | None = None) -> Enrolment:
    """Enrol an existing learner on ``version`` (no intake), then re-audit them. Refused when they
    already have an enrolment in progress in the programme (see :func:`lifecycle.enrol`)."""
    enrolment = lifecycle.enrol(learner.id, version, today, actor)
    holdings_changed([learner.id], "enrolled")
    return enrolment


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
        raise lifecycle.TransitionRefused(_("Only an enrolment in progress can be moved."))
    if version.id not in {v.id for v in newer_versions(enrolment)}:
        raise IntakeRuleError(_("Choose a newer version of the same programme."), "programme_version_id")
    taken = db.session.scalar(
        sa.select(Enrolment.id).where(
            Enrolment.learner_id == enrolment.learner_id, Enrolment.programme_version_id == version.id
        )
    )
    if taken is not None:
        raise IntakeRuleError(_("The learner already has an enrolment on that version."), "programme_version_id")


def move_enrolment(
    enrolment: Enrolment, version: ProgrammeVersion, today: date, actor: User | None = None
) -> Enrolment:
    """End ``enrolment`` (status moved) and enrol the learner on ``version``, then re-audit. The new
    enrolment keeps the intake and names the old one (``moved_from``: the first enrolment date)."""
    _check_move(enrolment, version)
    code = version.programme.code
    lifecycle.change_status(
        enrolment,
        EnrolmentStatus.MOVED,
        today,
        actor,
        _("Moved to %(code)s %(version)s", code=code, version=version.version),
    )
    moved = Enrolment(
        learner_id=enrolment.learner_id,
        programme_version_id=version.id,
        programme_id=version.programme_id,
        intake_id=enrolment.intake_id,
        moved_from_id=enrolment.id,
        status=EnrolmentStatus.ACTIVE,
        enrolled_on=today,
    )
    current = enrolment.programme_version
    record_change(
        moved,
        today,
        actor.id if actor is not None else None,
        _("Moved from %(code)s %(version)s", code=current.programme.code, version=current.version),
    )
    db.session.add(moved)
    lifecycle.flush_one_active(code)
    holdings_changed([enrolment.learner_id], "enrolment moved")
    return moved
