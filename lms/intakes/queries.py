"""Reads of the intakes area: intake lists with their counts, the open intakes, a candidate's
applications, the review queue of an intake (with the automatic entry-level flag), enrolments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm

from lms.accounts.models import Learner, User
from lms.catalog.directors import directed_programmes
from lms.catalog.models import Programme, ProgrammeVersion
from lms.core.paging import Page, paginate
from lms.extensions import db
from lms.intakes.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    Enrolment,
    EnrolmentEvent,
    Intake,
)
from lms.timetable.models import Centre


def _intake_query():
    return (
        sa.select(Intake)
        .join(ProgrammeVersion, Intake.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .join(Centre, Intake.centre_id == Centre.id)
        .options(
            sa.orm.contains_eager(Intake.programme_version).contains_eager(ProgrammeVersion.programme),
            sa.orm.contains_eager(Intake.centre),
        )
    )


def get_intake(intake_id: int) -> Intake | None:
    return db.session.scalar(_intake_query().where(Intake.id == intake_id))


@dataclass
class IntakeLine:
    intake: Intake
    counts: dict[ApplicationStatus, int] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        return self.counts.get(ApplicationStatus.ACCEPTED, 0)

    @property
    def to_review(self) -> int:
        return self.counts.get(ApplicationStatus.SUBMITTED, 0)

    @property
    def waitlisted(self) -> int:
        return self.counts.get(ApplicationStatus.WAITLISTED, 0)


def status_counts(intake_ids: list[int]) -> dict[int, dict[ApplicationStatus, int]]:
    counts: dict[int, dict[ApplicationStatus, int]] = {ident: {} for ident in intake_ids}
    if not intake_ids:
        return counts
    rows = db.session.execute(
        sa.select(Application.intake_id, Application.status, sa.func.count(Application.id))
        .where(Application.intake_id.in_(intake_ids))
        .group_by(Application.intake_id, Application.status)
    )
    for intake_id, status, count in rows:
        counts[intake_id][ApplicationStatus(status)] = count
    return counts


def reviewable_intakes(user: User, page: int = 1, per_page: int = 50, year: int | None = None) -> Page[IntakeLine]:
    """A page of the intakes ``user`` reviews (all for administrators), newest year first, with
    their counts: three statements whatever their number (the total, the page, its counts)."""
    query = _intake_query().order_by(
        Intake.academic_year.desc(), Programme.code, ProgrammeVersion.version, Centre.code, Intake.id
    )
    if year is not None:
        query = query.where(Intake.academic_year == year)
    query = query.where(directed_programmes(user, ProgrammeVersion.programme_id))
    found = paginate(query, page, per_page, scalars=True)
    counts = status_counts([intake.id for intake in found.rows])
    return found.with_rows([IntakeLine(intake, counts[intake.id]) for intake in found.rows])


def intake_years() -> list[int]:
    return list(db.session.scalars(sa.select(Intake.academic_year).distinct().order_by(Intake.academic_year.desc())))


def open_intakes(today: date) -> list[Intake]:
    """Intakes whose application window includes ``today``."""
    return list(
        db.session.scalars(
            _intake_query()
            .where(Intake.applications_open_on <= today, Intake.applications_close_on >= today)
            .order_by(Programme.code, ProgrammeVersion.version, Intake.starts_on, Centre.code)
        )
    )


def applications_of(user: User) -> list[Application]:
    """A candidate's applications, newest first, with their intakes."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.candidate_id == user.id)
            .options(
                sa.orm.joinedload(Application.intake)
                .joinedload(Intake.programme_version)
                .joinedload(ProgrammeVersion.programme),
                sa.orm.joinedload(Application.intake).joinedload(Intake.centre),
            )
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )


def application_by_intake(user: User) -> dict[int, Application]:
    return {application.intake_id: application for application in applications_of(user)}


def get_application(application_id: int) -> Application | None:
    return db.session.scalar(
        sa.select(Application)
        .where(Application.id == application_id)
        .options(
            sa.orm.joinedload(Application.candidate),
            sa.orm.joinedload(Application.intake)
            .joinedload(Intake.programme_version)
            .joinedload(ProgrammeVersion.programme),
            sa.orm.joinedload(Application.intake).joinedload(Intake.centre),
            sa.orm.selectinload(Application.documents),
        )
    )


@dataclass(frozen=True)
class QueueLine:
    application: Application
    candidate: User
    flagged: bool
    documents: int


def review_queue(
    intake: Intake, status: ApplicationStatus | None = None, flagged: bool | None = None
) -> list[QueueLine]:
    """The applications of ``intake`` (drafts are the candidates' own business and are left out),
    oldest submission first, filtered by status and by the automatic entry-level flag."""
    entry_level = intake.programme_version.entry_level
    if entry_level is None:
        is_flagged = sa.false()
    else:
        is_flagged = sa.and_(
            Application.prior_level.is_not(None),
            Application.prior_level < entry_level,
            Application.vapp_requested.is_(False),
        )
    documents = (
        sa.select(sa.func.count(ApplicationDocument.id))
        .where(ApplicationDocument.application_id == Application.id)
        .correlate(Application)
        .scalar_subquery()
    )
    query = (
        sa.select(Application, User, documents)
        .join(User, Application.candidate_id == User.id)
        .where(Application.intake_id == intake.id, Application.status != ApplicationStatus.DRAFT)
        .order_by(Application.submitted_at, Application.id)
    )
    if status is not None:
        query = query.where(Application.status == status)
    if flagged is True:
        query = query.where(is_flagged)
    elif flagged is False:
        query = query.where(sa.not_(is_flagged))
    lines = []
    for application, candidate, count in db.session.execute(query):
        application.intake = intake
        flag = (
            entry_level is not None
            and application.prior_level is not None
            and application.prior_level < entry_level
            and not application.vapp_requested
        )
        lines.append(QueueLine(application, candidate, flag, count or 0))
    return lines


def programme_version_choices() -> list[ProgrammeVersion]:
    return list(
        db.session.scalars(
            sa.select(ProgrammeVersion)
            .join(Programme)
            .options(sa.orm.contains_eager(ProgrammeVersion.programme))
            .order_by(Programme.code, ProgrammeVersion.version)
        )
    )


def centre_choices() -> list[Centre]:
    return list(db.session.scalars(sa.select(Centre).order_by(Centre.code)))


def learner_enrolments(learner: Learner) -> list[Enrolment]:
    return list(
        db.session.scalars(
            sa.select(Enrolment)
            .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
            .join(Programme, ProgrammeVersion.programme_id == Programme.id)
            .options(
                sa.orm.contains_eager(Enrolment.programme_version).contains_eager(ProgrammeVersion.programme),
                sa.orm.selectinload(Enrolment.events).joinedload(EnrolmentEvent.actor),
            )
            .where(Enrolment.learner_id == learner.id)
            .order_by(Enrolment.enrolled_on.desc(), Programme.code)
        )
    )
