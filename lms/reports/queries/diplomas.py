"""Median time to diploma, by programme and by modality."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from lms.awards.models import Award
from lms.catalog.models import Programme, ProgrammeVersion
from lms.extensions import db
from lms.intakes.models import Enrolment, Intake
from lms.reports.queries.common import Filters, Scope, median
from lms.timetable.models import Modality, Offering, Registration, RegistrationStatus


@dataclass(frozen=True)
class Duration:
    key: str  # a programme code or a modality value ("" when unknown)
    awards: int
    median_days: Decimal | None

    @property
    def median_years(self) -> Decimal | None:
        if self.median_days is None:
            return None
        return (self.median_days / Decimal("365.25")).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class TimeToDiploma:
    by_programme: list[Duration]
    by_modality: list[Duration]
    overall: Duration


def learner_modality():
    """The modality an enrolment is followed in: its intake's, else the one of most of the learner's
    registrations (not withdrawn); a tie goes to the first modality in the catalogue's order."""
    order = sa.case({m: index for index, m in enumerate(Modality)}, value=Offering.modality, else_=99)
    most_used = (
        sa.select(Offering.modality)
        .select_from(Registration)
        .join(Offering, Registration.offering_id == Offering.id)
        .where(Registration.learner_id == Enrolment.learner_id, Registration.status != RegistrationStatus.WITHDRAWN)
        .group_by(Offering.modality)
        .order_by(sa.func.count().desc(), sa.func.min(order))
        .limit(1)
        .correlate(Enrolment)
        .scalar_subquery()
    )
    return sa.func.coalesce(Intake.modality, most_used, type_=Intake.modality.type)


def time_to_diploma(scope: Scope, filters: Filters) -> TimeToDiploma:
    """Days from enrolment to the jury decision of the awards not revoked: one statement. The year
    filter keeps the awards decided in that academic year."""
    query = (
        sa.select(Programme.code, learner_modality(), Enrolment.enrolled_on, Award.decided_on)
        .select_from(Award)
        .join(Enrolment, Award.enrolment_id == Enrolment.id)
        .outerjoin(Intake, Enrolment.intake_id == Intake.id)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(
            Award.revoked_at.is_(None),
            scope.where(Programme.id),
            filters.programme(Programme.id),
            filters.within_year(Award.decided_on),
        )
        .order_by(Programme.code, Award.id)
    )
    by_programme: dict[str, list[int]] = defaultdict(list)
    by_modality: dict[str, list[int]] = defaultdict(list)
    every: list[int] = []
    for code, modality, enrolled_on, decided_on in db.session.execute(query):
        days = (decided_on - enrolled_on).days
        by_programme[code].append(days)
        by_modality[Modality(modality).value if modality else ""].append(days)
        every.append(days)
    modality_order = {m.value: index for index, m in enumerate(Modality)}
    return TimeToDiploma(
        [Duration(code, len(days), median(days)) for code, days in sorted(by_programme.items())],
        [
            Duration(key, len(days), median(days))
            for key, days in sorted(by_modality.items(), key=lambda item: modality_order.get(item[0], 99))
        ],
        Duration("", len(every), median(every)),
    )
