"""Demo awards: learners whose audit was complete before the last summer jury were awarded by it;
those complete since wait on the eligibility list."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from lms.awards.models import Award
from lms.awards.services import new_verification_code
from lms.catalog.models import ProgrammeVersion
from lms.demo.context import DemoContext
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.progress.models import AuditStatus, ProgressSnapshot


def make_awards(demo: DemoContext) -> None:
    """Reads the stored audits: run after they are computed."""
    summer_jury = date(demo.current_year, 7, 3)
    jury_day = summer_jury if demo.today >= summer_jury else date(demo.current_year - 1, 7, 3)
    sequence: dict[str, int] = defaultdict(int)
    rows = db.session.execute(
        sa.select(Enrolment, ProgrammeVersion)
        .join(ProgressSnapshot, ProgressSnapshot.enrolment_id == Enrolment.id)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .where(ProgressSnapshot.status == AuditStatus.COMPLETE, Enrolment.enrolled_on < jury_day)
        .order_by(Enrolment.id)
    ).all()
    for enrolment, version in rows:
        code = version.programme.code
        sequence[code] += 1
        db.session.add(
            Award(
                enrolment_id=enrolment.id,
                decided_on=jury_day,
                jury=f"Jury de la formation {code}",
                mention=demo.rng.choice((None, "assez_bien", "bien")),
                ects=version.nominal_ects,
                certificate_number=f"{code}-{jury_day.year}-{sequence[code]:04d}",
                verification_code=new_verification_code(),
                decided_by_id=demo.director_of[code].id,
            )
        )
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.ended_on = jury_day
    demo.summary.awards = len(rows)
    db.session.flush()
