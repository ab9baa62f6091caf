"""Demo intakes: for each programme, this year's intake (its learners' applications accepted) and
next year's, open now, with a few candidates at every stage of the review."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from lms.accounts.models import Funding
from lms.demo.accounts import new_user
from lms.demo.context import DemoContext, morning_of
from lms.demo.names import FIRST_NAMES, LAST_NAMES
from lms.extensions import db
from lms.intakes.models import Application, ApplicationStatus, Enrolment, Intake
from lms.timetable.models import Modality

# The review stage of the candidates to next year's intake, in order.
CANDIDATE_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.REJECTED,
)


def make_intakes(demo: DemoContext) -> None:
    year = demo.current_year
    enrolments = db.session.scalars(sa.select(Enrolment).order_by(Enrolment.id)).all()
    candidates = [
        new_user(
            demo,
            f"candidat{i}@example.org",
            f"{FIRST_NAMES[(i * 5) % len(FIRST_NAMES)]} {LAST_NAMES[(i * 3) % len(LAST_NAMES)]}",
            [],
        )
        for i in range(1, 9)
    ]
    db.session.flush()
    for code, version in sorted(demo.versions.items()):
        small = version.kind.value.startswith(("certificat", "micro"))
        intake = {
            "programme_version_id": version.id,
            "centre_id": demo.centre_id,
            "modality": Modality.HYBRIDE_SOIR,
            "capacity": 25 if small else 40,
        }
        current = Intake(
            **intake,
            academic_year=year,
            applications_open_on=date(year, 3, 1),
            applications_close_on=date(year, 9, 15),
            starts_on=date(year, 10, 1),
        )
        following = Intake(
            **intake,
            academic_year=year + 1,
            applications_open_on=date(year, 11, 1),
            applications_close_on=date(year + 1, 6, 30),
            starts_on=date(year + 1, 10, 1),
        )
        db.session.add_all([current, following])
        db.session.flush()
        director_id = demo.director_of[code].id
        for enrolment in enrolments:
            if enrolment.programme_version_id == version.id and enrolment.enrolled_on >= date(year, 9, 1):
                enrolment.intake_id = current.id
                db.session.add(
                    Application(
                        candidate_id=enrolment.learner.user_id,
                        intake_id=current.id,
                        prior_level=version.entry_level,
                        years_experience=demo.rng.randrange(1, 15),
                        funding=enrolment.learner.funding,
                        status=ApplicationStatus.ACCEPTED,
                        submitted_at=morning_of(date(year, 6, 1)),
                        decided_at=morning_of(date(year, 7, 1)),
                        decided_by_id=director_id,
                    )
                )
        entry = version.entry_level or 4
        for index, candidate in enumerate(candidates[: 3 if small else 5]):
            status = CANDIDATE_STATUSES[index]
            decided = status in (ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED)
            below = index == 2  # one candidate under the entry level, without a VAPP request: flagged
            db.session.add(
                Application(
                    candidate_id=candidate.id,
                    intake_id=following.id,
                    prior_level=max(entry - 1, 1) if below else entry,
                    diplomas="BTS Services informatiques aux organisations" if below else "Licence professionnelle",
                    current_job=demo.rng.choice(("Développeur", "Technicienne réseau", "Chef de projet", "Analyste")),
                    years_experience=demo.rng.randrange(1, 12),
                    funding=demo.rng.choice(list(Funding)),
                    status=status,
                    submitted_at=None if status is ApplicationStatus.DRAFT else morning_of(date(year, 11, 10 + index)),
                    decided_at=morning_of(date(year, 11, 20)) if decided else None,
                    decided_by_id=director_id if decided else None,
                    decision_reason="Expérience à préciser" if status is ApplicationStatus.REJECTED else None,
                )
            )
    db.session.flush()
