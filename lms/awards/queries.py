"""Reads of the awards area: the programmes a user may award, the eligibility list of a programme,
its awards grouped by jury session, a learner's own awards, the exams a decision counts
(public codes are looked up in the shared registry, :mod:`lms.core.verification`).

Eligibility lists one row per learner and programme (never one per version: one award per learner
and programme). It has two sources:

- enrolments whose stored audit (``ProgressSnapshot``) is complete and that hold no award yet
  (withdrawn and moved enrolments left out);
- certificates earned on the way to another programme: ``CredentialClaim`` rows (written by the
  progress area when a learner's audit of a programme they are not enrolled in turns complete) for
  which the learner has no enrolment on that version. The list reads the claims, it does not
  re-audit every learner (that would not stay constant in the data size); the decision itself
  re-audits the learner and refuses it if the audit is not complete (nothing is written then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm

from lms.accounts.models import Learner, Role, User
from lms.awards.models import Award
from lms.catalog.directors import directed_programmes
from lms.catalog.models import Programme, ProgrammeVersion, Unit
from lms.core.paging import Page, paginate
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.progress.history import PASS_MARK
from lms.progress.models import AuditStatus, CredentialClaim, ProgressSnapshot
from lms.results.models import Decision, Result, ResultStatus
from lms.timetable.models import Offering, Registration


@dataclass(frozen=True)
class Eligible:
    learner_id: int
    learner_number: str
    name: str
    programme_version_id: int
    version: str
    counted_ects: Decimal | None  # validated ECTS that count toward the programme
    enrolled: bool  # True: the enrolled version, met; False: the newest version met on the way (a claim)
    since: object  # when the audit was found complete
    enrolled_versions: tuple[str, ...] = ()  # not enrolled in this version: the versions they are enrolled in

    @property
    def key(self) -> str:
        return f"{self.learner_id}:{self.programme_version_id}"


@dataclass(frozen=True)
class JurySession:
    decided_on: date
    jury: str
    count: int
    revoked: int
    first_award_id: int


def awardable_programmes(user: User) -> list[Programme]:
    """The programmes ``user`` may award: every one for an administrator, the directed ones for a director."""
    if not user.has_role(Role.ADMIN, Role.DIRECTOR):
        return []
    query = (
        sa.select(Programme)
        .where(directed_programmes(user, Programme.id))
        .order_by(Programme.code)
        .options(sa.orm.selectinload(Programme.versions))
    )
    return list(db.session.scalars(query))


def programme_by_code(code: str) -> Programme | None:
    return db.session.scalar(sa.select(Programme).where(Programme.code == code))


def eligible(programme: Programme) -> list[Eligible]:
    """One row per learner who completed a version of ``programme`` and holds no valid award for
    it (any version), by name. The version proposed: the enrolled version when its audit is
    complete (the newest of them if several), else the newest version completed on the way."""
    valid_award = (
        sa.select(Award.id)
        .where(Award.learner_id == Learner.id, Award.programme_id == programme.id, Award.revoked_at.is_(None))
        .exists()
    )
    has_award = sa.select(Award.id).where(Award.enrolment_id == Enrolment.id).exists()
    enrolled = db.session.execute(
        sa.select(
            Learner.id,
            Learner.learner_number,
            User.name,
            ProgrammeVersion.id,
            ProgrammeVersion.version,
            ProgressSnapshot.counted_ects,
            ProgressSnapshot.computed_at,
        )
        .select_from(Enrolment)
        .join(ProgressSnapshot, ProgressSnapshot.enrolment_id == Enrolment.id)
        .join(ProgrammeVersion, ProgrammeVersion.id == Enrolment.programme_version_id)
        .join(Learner, Learner.id == Enrolment.learner_id)
        .join(User, User.id == Learner.user_id)
        .where(
            ProgrammeVersion.programme_id == programme.id,
            ProgressSnapshot.status == AuditStatus.COMPLETE,
            Enrolment.status.notin_([EnrolmentStatus.WITHDRAWN, EnrolmentStatus.MOVED]),
            ~has_award,
            ~valid_award,
        )
    ).all()
    any_enrolment = (
        sa.select(Enrolment.id)
        .where(
            Enrolment.learner_id == CredentialClaim.learner_id,
            Enrolment.programme_version_id == CredentialClaim.programme_version_id,
        )
        .exists()
    )
    claimed = db.session.execute(
        sa.select(
            Learner.id,
            Learner.learner_number,
            User.name,
            ProgrammeVersion.id,
            ProgrammeVersion.version,
            sa.null(),
            CredentialClaim.complete_since,
        )
        .select_from(CredentialClaim)
        .join(ProgrammeVersion, ProgrammeVersion.id == CredentialClaim.programme_version_id)
        .join(Learner, Learner.id == CredentialClaim.learner_id)
        .join(User, User.id == Learner.user_id)
        .where(ProgrammeVersion.programme_id == programme.id, ~any_enrolment, ~valid_award)
    ).all()
    enrolled_in: dict[int, list[str]] = {}
    for learner_id, version in db.session.execute(
        sa.select(Enrolment.learner_id, ProgrammeVersion.version)
        .join(ProgrammeVersion, ProgrammeVersion.id == Enrolment.programme_version_id)
        .where(
            ProgrammeVersion.programme_id == programme.id,
            Enrolment.status.notin_([EnrolmentStatus.WITHDRAWN, EnrolmentStatus.MOVED]),
        )
    ):
        enrolled_in.setdefault(learner_id, []).append(version)
    chosen: dict[int, Eligible] = {}
    for row in sorted(enrolled, key=lambda row: row[4]):  # the newest enrolled version wins
        chosen[row[0]] = Eligible(*row[:6], enrolled=True, since=row[6])
    for row in sorted(claimed, key=lambda row: row[4]):  # the newest version met on the way
        if row[0] in chosen and chosen[row[0]].enrolled:
            continue
        others = tuple(sorted(enrolled_in.get(row[0], ())))
        chosen[row[0]] = Eligible(*row[:5], counted_ects=None, enrolled=False, since=row[6], enrolled_versions=others)
    return sorted(chosen.values(), key=lambda row: (row.name.lower(), row.learner_number, row.version))


def programme_awards(programme: Programme) -> list[tuple[Award, str, str, str]]:
    """Every award of ``programme``: (award, learner name, learner number, version), newest first."""
    rows = db.session.execute(
        sa.select(Award, User.name, Learner.learner_number, ProgrammeVersion.version)
        .join(Enrolment, Enrolment.id == Award.enrolment_id)
        .join(ProgrammeVersion, ProgrammeVersion.id == Enrolment.programme_version_id)
        .join(Learner, Learner.id == Enrolment.learner_id)
        .join(User, User.id == Learner.user_id)
        .where(ProgrammeVersion.programme_id == programme.id)
        .order_by(Award.decided_on.desc(), Award.certificate_number)
    )
    return [tuple(row) for row in rows]


def jury_sessions(awards: list[tuple[Award, str, str, str]]) -> list[JurySession]:
    """The awards grouped by (decision date, jury), newest first. Pure."""
    groups: dict[tuple[date, str], list[Award]] = {}
    for award, *_rest in awards:
        groups.setdefault((award.decided_on, award.jury), []).append(award)
    return [
        JurySession(day, jury, len(items), sum(1 for a in items if a.revoked_at is not None), min(a.id for a in items))
        for (day, jury), items in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True)
    ]


def session_awards(award: Award) -> list[Award]:
    """The awards of ``award``'s jury session: same programme, same decision date, same jury."""
    programme_id = award.enrolment.programme_version.programme_id
    return list(
        db.session.scalars(
            sa.select(Award)
            .join(Enrolment, Enrolment.id == Award.enrolment_id)
            .join(ProgrammeVersion, ProgrammeVersion.id == Enrolment.programme_version_id)
            .where(
                ProgrammeVersion.programme_id == programme_id,
                Award.decided_on == award.decided_on,
                Award.jury == award.jury,
            )
            .order_by(Award.certificate_number)
        )
    )


def visible_awards(user: User, page: int, per_page: int, programme_code: str | None = None) -> Page[tuple]:
    """A page of the awards ``user`` may see, as the awards pages show them: their own, and those
    of the programmes they may award (every one for an administrator); newest first. Rows:
    (award, learner name, learner number, version, version title, programme code). Two statements."""
    query = (
        sa.select(
            Award, User.name, Learner.learner_number, ProgrammeVersion.version, ProgrammeVersion.title, Programme.code
        )
        .join(Enrolment, Enrolment.id == Award.enrolment_id)
        .join(ProgrammeVersion, ProgrammeVersion.id == Enrolment.programme_version_id)
        .join(Programme, Programme.id == ProgrammeVersion.programme_id)
        .join(Learner, Learner.id == Award.learner_id)
        .join(User, User.id == Learner.user_id)
        .where(sa.or_(Learner.user_id == user.id, directed_programmes(user, Award.programme_id)))
        .order_by(Award.decided_on.desc(), Award.certificate_number, Award.id)
    )
    if programme_code is not None:
        query = query.where(Programme.code == programme_code.strip().upper())
    return paginate(query, page, per_page)


def learner_awards(learner: Learner) -> list[tuple[Award, ProgrammeVersion]]:
    """The learner's awards with their programme version (and its programme), newest first."""
    rows = db.session.execute(
        sa.select(Award, ProgrammeVersion)
        .join(Enrolment, Enrolment.id == Award.enrolment_id)
        .join(ProgrammeVersion, ProgrammeVersion.id == Enrolment.programme_version_id)
        .join(Programme, Programme.id == ProgrammeVersion.programme_id)
        .options(sa.orm.contains_eager(ProgrammeVersion.programme))
        .where(Enrolment.learner_id == learner.id)
        .order_by(Award.decided_on.desc())
    )
    return [tuple(row) for row in rows]


def applied_units(result: dict) -> set[str]:
    """The units a stored audit result applies anywhere in its tree (formats.md section 3). Pure."""
    units: set[str] = set()
    stack = [result.get("requirements") or {}]
    while stack:
        node = stack.pop()
        units.update(item["unit"] for item in node.get("applied") or () if item.get("unit"))
        stack.extend(node.get("children") or ())
    return units


def last_exams(learner_ids: set[int]) -> dict[int, dict[str, date]]:
    """Per learner, the date of the last exam of each unit they passed: the offering's exam date of
    the session of a published, validating result (the result's date when the offering has none)."""
    exam_on = sa.case((Result.exam_session == 2, Offering.exam2_on), else_=Offering.exam1_on)
    validating = sa.or_(Result.decision == Decision.VALIDATED, Result.grade >= PASS_MARK)
    rows = db.session.execute(
        sa.select(Registration.learner_id, Unit.code, sa.func.max(sa.func.coalesce(exam_on, Result.decided_on)))
        .select_from(Result)
        .join(Registration, Registration.id == Result.registration_id)
        .join(Offering, Offering.id == Registration.offering_id)
        .join(Unit, Unit.id == Offering.unit_id)
        .where(Registration.learner_id.in_(learner_ids), Result.status == ResultStatus.PUBLISHED, validating)
        .group_by(Registration.learner_id, Unit.code)
    )
    exams: dict[int, dict[str, date]] = {}
    for learner_id, code, day in rows:
        if day is not None:
            exams.setdefault(learner_id, {})[code] = day
    return exams
