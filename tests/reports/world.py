"""A small world for the reports, with figures computed by hand in the tests.

Programmes: MR11401A (master, 120 ECTS, units NFE101 and NFE102), directed by
``director@example.org``; CS6800A (certificate, 30 ECTS, unit CSC301), directed by
``director2@example.org``.

Learners L1..L12 (``l1@example.org``...):
- L1..L4: MR11401A active, enrolled 2025-10-01, earned 0, 6, 12, 12 ECTS; registered this year.
- L5, L6: MR11401A active, enrolled 2020-10-01, earned 45 and 120. L5: one registration three
  years ago, its result published three years ago (dropout risk). L6: registered this year.
- L1, L2 also CS6800A active (enrolled 2024-02-01), earned 4.5 and 27.
- L7: MR11401A completed through intake I1 (hybrid evening), enrolled 2022-09-01, awarded 2024-09-01.
- L8: MR11401A completed without intake, enrolled 2021-01-01, awarded 2024-01-01; registrations:
  two FOAD, one evening in person, so FOAD.
- L9: CS6800A completed without intake nor registration, enrolled 2024-01-10, awarded 2024-07-10.
- L10: MR11401A completed, award revoked.
- L11: CS6800A active since 2019: an old registration, but a result published 100 days ago.
- L12: CS6800A active since 2019: only a withdrawn registration this year (dropout risk).

Intakes: I1 MR11401A 2025 capacity 4 (1 draft, 2 submitted, 2 accepted, 1 waitlisted, 1 rejected,
1 withdrawn); I2 CS6800A 2025 no capacity (1 accepted, 1 rejected); I3 MR11401A 2024 capacity 2
(2 accepted).

Published results: NFE101 2024 session 1: 12, 8, absent, 10 (and a draft 15); session 2: 11, 9.
CSC301 2025 session 1: decision "validated", 9.99. NFE102 (three years ago, S2) session 1: 5 (L5,
published three years ago), 14 (L11, published 100 days ago).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from lms.accounts import services as accounts
from lms.accounts.models import Role, User
from lms.awards.models import Award
from lms.catalog.models import Programme, ProgrammeKind, ProgrammeVersion, Unit, UnitKind
from lms.core import holdings
from lms.core.time import academic_year, utcnow
from lms.extensions import db
from lms.intakes.models import Application, ApplicationStatus, Enrolment, EnrolmentStatus, Intake
from lms.progress.models import AuditStatus, ProgressSnapshot
from lms.results.models import Decision, Result, ResultStatus
from lms.timetable.models import Centre, Modality, Offering, Registration, RegistrationStatus, Semester
from tests.helpers import make_user

MASTER, CERTIFICATE = "MR11401A", "CS6800A"
HOSTILE_NAME = '=HYPERLINK("http://evil.example")'
HOSTILE_TITLE = "-2+3 Sécurité"


@dataclass
class World:
    today: date
    year: int  # the current academic year
    master: int  # programme ids
    certificate: int


def _now() -> datetime:
    return utcnow()


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def build_world(app: Flask) -> World:
    make_user(app, "admin@example.org", [Role.ADMIN], name="Admin")
    make_user(app, "director@example.org", [Role.DIRECTOR], name="Director Master")
    make_user(app, "director2@example.org", [Role.DIRECTOR], name="Director Certificate")
    make_user(app, "tutor@example.org", [Role.TUTOR], name="Tutor")
    make_user(app, "learner@example.org", [Role.LEARNER], name="Learner")
    with app.app_context():
        today = utcnow().date()
        year = academic_year(today)
        users = {user.email: user for user in db.session.scalars(sa.select(User))}
        learners = {}
        for n in range(1, 13):
            name = HOSTILE_NAME if n == 5 else f"L{n:02d}"
            learners[n] = accounts.create_user(f"l{n}@example.org", name, [Role.LEARNER]).learner
        candidates = [accounts.create_user(f"c{n}@example.org", f"C{n}", []) for n in range(1, 9)]

        units = {
            code: Unit(code=code, title=title, ects=Decimal(6), kind=UnitKind.UE)
            for code, title in (("NFE101", "Réseaux"), ("NFE102", "Systèmes"), ("CSC301", HOSTILE_TITLE))
        }
        master = Programme(code=MASTER)
        master.directors = [users["director@example.org"]]
        certificate = Programme(code=CERTIFICATE)
        certificate.directors = [users["director2@example.org"]]
        master_v = ProgrammeVersion(
            programme=master,
            version="2024",
            title="Master réseaux",
            kind=ProgrammeKind.MASTER,
            nominal_ects=Decimal(120),
            requirements={"all": [{"unit": "NFE101"}, {"unit": "NFE102"}]},
        )
        cert_v = ProgrammeVersion(
            programme=certificate,
            version="2024",
            title="Certificat sécurité",
            kind=ProgrammeKind.CERTIFICAT_COMPETENCE,
            nominal_ects=Decimal(30),
            requirements={"all": [{"unit": "CSC301"}]},
        )
        centre = Centre(code="PAR", name="Cnam Paris", city="Paris")
        db.session.add_all([*units.values(), master, certificate, master_v, cert_v, centre])

        def intake(version, year_, modality, capacity):
            return Intake(
                programme_version=version,
                academic_year=year_,
                centre=centre,
                modality=modality,
                capacity=capacity,
                applications_open_on=date(year_, 3, 1),
                applications_close_on=date(year_, 6, 30),
                starts_on=date(year_, 10, 1),
            )

        i1 = intake(master_v, 2025, Modality.HYBRIDE_SOIR, 4)
        i2 = intake(cert_v, 2025, Modality.FOAD, None)
        i3 = intake(master_v, 2024, Modality.PRESENTIEL_SOIR, 2)
        db.session.add_all([i1, i2, i3])
        statuses = {
            i1: ["draft", "submitted", "submitted", "accepted", "accepted", "waitlisted", "rejected", "withdrawn"],
            i2: ["accepted", "rejected"],
            i3: ["accepted", "accepted"],
        }
        for target, names in statuses.items():
            for candidate, status in zip(candidates, names, strict=False):
                db.session.add(Application(candidate=candidate, intake=target, status=ApplicationStatus(status)))

        def offering(code, year_, modality, semester=Semester.S1):
            made = Offering(unit=units[code], academic_year=year_, semester=semester, modality=modality, centre=centre)
            db.session.add(made)
            return made

        o1 = offering("NFE101", 2024, Modality.FOAD)
        o2 = offering("NFE102", 2024, Modality.FOAD)
        o3 = offering("CSC301", 2025, Modality.PRESENTIEL_SOIR)
        o_now = offering("NFE101", year, Modality.FOAD, Semester.A)
        o_old = offering("NFE102", year - 3, Modality.FOAD, Semester.S2)

        def register(n, target, status=RegistrationStatus.REGISTERED):
            made = Registration(learner=learners[n], offering=target, status=status)
            db.session.add(made)
            return made

        def result(
            registration,
            session=1,
            grade=None,
            absent=False,
            decision=None,
            published_at=None,
            status=ResultStatus.PUBLISHED,
        ):
            db.session.add(
                Result(
                    registration=registration,
                    exam_session=session,
                    grade=None if grade is None else Decimal(grade),
                    absent=absent,
                    decision=decision,
                    status=status,
                    published_at=(published_at or _now()) if status == ResultStatus.PUBLISHED else None,
                )
            )

        result(register(8, o1), grade="12")
        r7 = register(7, o1)
        result(r7, grade="8")
        result(r7, session=2, grade="11")
        r3 = register(3, o1)
        result(r3, absent=True)
        result(r3, session=2, grade="9")
        result(register(4, o1), grade="10")
        result(register(1, o1), grade="15", status=ResultStatus.DRAFT)
        register(8, o2)
        register(8, o3)
        result(register(1, o3), decision=Decision.VALIDATED)
        result(register(2, o3), grade="9.99")
        result(register(5, o_old), grade="5", published_at=_at(today - timedelta(days=3 * 365)))
        result(register(11, o_old), grade="14", published_at=_at(today - timedelta(days=100)))
        for n in (1, 2, 3, 4, 6):
            register(n, o_now)
        register(12, o_now, RegistrationStatus.WITHDRAWN)

        def enrol(n, version, enrolled_on, earned=None, status=EnrolmentStatus.ACTIVE, via=None):
            made = Enrolment(
                learner=learners[n], programme_version=version, enrolled_on=enrolled_on, status=status, intake=via
            )
            db.session.add(made)
            if earned is not None:
                pinned[made] = earned
            return made

        pinned: dict[Enrolment, str] = {}
        for n, earned in zip((1, 2, 3, 4), ("0", "6", "12", "12"), strict=True):
            enrol(n, master_v, date(2025, 10, 1), earned)
        enrol(5, master_v, date(2020, 10, 1), "45")
        enrol(6, master_v, date(2020, 10, 1), "120")
        enrol(1, cert_v, date(2024, 2, 1), "4.5")
        enrol(2, cert_v, date(2024, 2, 1), "27")
        enrol(11, cert_v, date(2019, 10, 1))
        enrol(12, cert_v, date(2019, 10, 1))

        def award(n, version, enrolled_on, decided_on, via=None, revoked=False):
            enrolment = enrol(n, version, enrolled_on, "120", EnrolmentStatus.COMPLETED, via)
            db.session.add(
                Award(
                    enrolment=enrolment,
                    decided_on=decided_on,
                    jury="Jury",
                    ects=Decimal(120),
                    certificate_number=f"N-{n}",
                    verification_code=secrets.token_urlsafe(16),
                    revoked_at=_now() if revoked else None,
                    revoke_reason="error" if revoked else None,
                )
            )

        award(7, master_v, date(2022, 9, 1), date(2024, 9, 1), via=i1)
        award(8, master_v, date(2021, 1, 1), date(2024, 1, 1))
        award(9, cert_v, date(2024, 1, 10), date(2024, 7, 10))
        award(10, master_v, date(2020, 1, 1), date(2021, 1, 1), revoked=True)
        pin_snapshots(pinned)
        db.session.commit()
        return World(today, year, master.id, certificate.id)


def grow(app: Flask, tag: str) -> None:
    """More rows of every kind (to check that a page's statement count does not change)."""
    with app.app_context():
        master_v = db.session.scalar(sa.select(ProgrammeVersion).join(Programme).where(Programme.code == MASTER))
        intake = db.session.scalar(sa.select(Intake).where(Intake.programme_version_id == master_v.id))
        offering = db.session.scalar(sa.select(Offering).where(Offering.academic_year == 2024).limit(1))
        pinned: dict[Enrolment, str] = {}
        for n in range(3):
            learner = accounts.create_user(f"grow-{tag}-{n}@example.org", f"G{tag}{n}", [Role.LEARNER]).learner
            db.session.add(Application(candidate=learner.user, intake=intake, status=ApplicationStatus.SUBMITTED))
            registration = Registration(learner=learner, offering=offering)
            db.session.add(registration)
            db.session.add(
                Result(
                    registration=registration,
                    exam_session=1,
                    grade=Decimal(13),
                    status=ResultStatus.PUBLISHED,
                    published_at=_now() - timedelta(days=2000),
                )
            )
            enrolment = Enrolment(learner=learner, programme_version=master_v, enrolled_on=date(2018, 10, 1))
            db.session.add(enrolment)
            pinned[enrolment] = str(30 + n)
            db.session.add(
                Award(
                    enrolment=enrolment,
                    decided_on=date(2023, 6, 1),
                    jury="Jury",
                    ects=Decimal(120),
                    certificate_number=f"G-{tag}-{n}",
                    verification_code=secrets.token_urlsafe(16),
                )
            )
        pin_snapshots(pinned)
        db.session.commit()


def pin_snapshots(earned: dict[Enrolment, str]) -> None:
    """Let the re-audit of the world's writes run (lms.core.holdings), then pin the earned ECTS the
    report tests count: the world holds too few results to reach them by real audits."""
    holdings.settle()
    snapshots = db.session.scalars(
        sa.select(ProgressSnapshot).where(ProgressSnapshot.enrolment_id.in_([e.id for e in earned]))
    )
    by_enrolment = {snapshot.enrolment_id: snapshot for snapshot in snapshots}
    for enrolment, ects in earned.items():
        snapshot = by_enrolment[enrolment.id]
        snapshot.status, snapshot.earned_ects = AuditStatus.INCOMPLETE, Decimal(ects)
        snapshot.counted_ects = Decimal(ects)
        snapshot.in_progress_ects, snapshot.missing_ects, snapshot.result = Decimal(0), None, {}
