"""Intakes: a programme version opened for an academic year at a centre, in one modality. An
intake starts within its academic year (1 September to 31 August, :func:`lms.core.time.academic_year`)
and its applications close on or before that day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from lms.catalog.models import ProgrammeVersion
from lms.core.i18n import gettext as _
from lms.core.time import academic_year, academic_year_label
from lms.extensions import db
from lms.intakes.models import Application, Intake
from lms.intakes.services import IntakeRuleError
from lms.timetable.models import Centre, Modality


@dataclass(frozen=True)
class IntakeInput:
    programme_version_id: int
    academic_year: int
    centre_id: int
    modality: Modality
    capacity: int | None
    applications_open_on: date
    applications_close_on: date
    starts_on: date


def save_intake(intake: Intake | None, data: IntakeInput) -> Intake:
    """Create (``intake`` None) or update an intake after checking its rules."""
    if db.session.get(ProgrammeVersion, data.programme_version_id) is None:
        raise IntakeRuleError(_("Choose a programme version."), "programme_version_id")
    if db.session.get(Centre, data.centre_id) is None:
        raise IntakeRuleError(_("Choose a centre."), "centre_id")
    if data.capacity is not None and data.capacity < 1:
        raise IntakeRuleError(_("The capacity must be at least 1, or empty for no limit."), "capacity")
    if data.applications_close_on < data.applications_open_on:
        raise IntakeRuleError(_("Applications must close on or after the day they open."), "applications_close_on")
    if data.starts_on < data.applications_open_on:
        raise IntakeRuleError(_("The intake cannot start before applications open."), "starts_on")
    if academic_year(data.starts_on) != data.academic_year:
        raise IntakeRuleError(
            _(
                "An intake of the academic year %(year)s starts between 1 September %(first)d and 31 August %(last)d.",
                year=academic_year_label(data.academic_year),
                first=data.academic_year,
                last=data.academic_year + 1,
            ),
            "starts_on",
        )
    if data.applications_close_on > data.starts_on:
        raise IntakeRuleError(
            _("Applications must close on or before the day the intake starts."), "applications_close_on"
        )
    clash = db.session.scalar(
        sa.select(Intake.id).where(
            Intake.programme_version_id == data.programme_version_id,
            Intake.academic_year == data.academic_year,
            Intake.centre_id == data.centre_id,
            Intake.modality == data.modality,
            Intake.id != (intake.id if intake is not None else -1),
        )
    )
    if clash is not None:
        raise IntakeRuleError(
            _("An intake of this programme version already exists for this year, centre and modality."),
            "programme_version_id",
        )
    if intake is not None and intake.programme_version_id != data.programme_version_id:
        has_applications = db.session.scalar(
            sa.select(Application.id).where(Application.intake_id == intake.id).limit(1)
        )
        if has_applications is not None:
            raise IntakeRuleError(
                _("Candidates have applied to this intake: its programme version can no longer change."),
                "programme_version_id",
            )
    if intake is None:
        intake = Intake()
        db.session.add(intake)
    intake.programme_version_id = data.programme_version_id
    intake.academic_year = data.academic_year
    intake.centre_id = data.centre_id
    intake.modality = data.modality
    intake.capacity = data.capacity
    intake.applications_open_on = data.applications_open_on
    intake.applications_close_on = data.applications_close_on
    intake.starts_on = data.starts_on
    db.session.flush()
    return intake


def is_open(intake: Intake, today: date) -> bool:
    return intake.applications_open_on <= today <= intake.applications_close_on
