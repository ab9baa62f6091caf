"""Median time to diploma, by programme and by modality."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from lms.awards.models import Award
from lms.catalog.models import Programme, ProgrammeVersion
from lms.core.time import academic_year
from lms.extensions import db
from lms.intakes.models import Enrolment, Intake
from lms.reports.models import AwardDuration
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


DURATIONS = "durations"  # the summary's name in report_summaries
_MODALITY_ORDER = {m.value: index for index, m in enumerate(Modality)}


def _award_days(scope: Scope, filters: Filters) -> sa.Select:
    """(programme id, code, modality, enrolled on, decided on) of the awards not revoked."""
    return (
        sa.select(Programme.id, Programme.code, learner_modality(), Enrolment.enrolled_on, Award.decided_on)
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


def _report(by_programme: dict[str, list], by_modality: dict[str, list], every: list) -> TimeToDiploma:
    return TimeToDiploma(
        [Duration(code, len(days), median(days)) for code, days in sorted(by_programme.items())],
        [
            Duration(key, len(days), median(days))
            for key, days in sorted(by_modality.items(), key=lambda item: _MODALITY_ORDER.get(item[0], 99))
        ],
        Duration("", len(every), median(every)),
    )


def time_to_diploma(scope: Scope, filters: Filters) -> TimeToDiploma:
    """Days from enrolment to the jury decision of the awards not revoked: one statement. The year
    filter keeps the awards decided in that academic year."""
    by_programme: dict[str, list[int]] = defaultdict(list)
    by_modality: dict[str, list[int]] = defaultdict(list)
    every: list[int] = []
    for _id, code, modality, enrolled_on, decided_on in db.session.execute(_award_days(scope, filters)):
        days = (decided_on - enrolled_on).days
        by_programme[code].append(days)
        by_modality[Modality(modality).value if modality else ""].append(days)
        every.append(days)
    return _report(by_programme, by_modality, every)


def duration_lines() -> list[dict]:
    """The summary's lines: every median the report may show, for every programme filter and year
    filter an administrator may choose (:class:`~lms.reports.models.AwardDuration`)."""
    days_of: dict[tuple, list[int]] = defaultdict(list)  # (kind, programme id, year, key) -> days
    for programme_id, code, modality, enrolled_on, decided_on in db.session.execute(
        _award_days(Scope(None), Filters()).execution_options(yield_per=5000)
    ):
        days = (decided_on - enrolled_on).days
        mode = Modality(modality).value if modality else ""
        for year in (None, academic_year(decided_on)):
            days_of["programme", programme_id, year, code].append(days)
            for programme in (None, programme_id):
                days_of["modality", programme, year, mode].append(days)
                days_of["overall", programme, year, ""].append(days)
    return [
        {"kind": kind, "programme_id": programme, "academic_year": year, "key": key}
        | {"awards": len(days), "median_days": median(days)}
        for (kind, programme, year, key), days in days_of.items()
    ]


def summarised_time_to_diploma(filters: Filters) -> TimeToDiploma:
    """The report for an administrator, read from the summary: one statement."""

    def same(column, value):
        return column.is_(None) if value is None else column == value

    rows = db.session.scalars(
        sa.select(AwardDuration).where(
            same(AwardDuration.academic_year, filters.year),
            sa.or_(
                sa.and_(AwardDuration.kind == "programme", filters.programme(AwardDuration.programme_id)),
                sa.and_(
                    AwardDuration.kind.in_(("modality", "overall")),
                    same(AwardDuration.programme_id, filters.programme_id),
                ),
            ),
        )
    )
    lines: dict[str, list[Duration]] = defaultdict(list)
    for row in rows:
        lines[row.kind].append(Duration(row.key, row.awards, _plain(row.median_days)))
    overall = lines["overall"][0] if lines["overall"] else Duration("", 0, None)
    return TimeToDiploma(
        sorted(lines["programme"], key=lambda d: d.key),
        sorted(lines["modality"], key=lambda d: _MODALITY_ORDER.get(d.key, 99)),
        overall,
    )


def _plain(value: Decimal | None) -> Decimal | None:
    """A stored median as :func:`median` gives it (730, not 730.0)."""
    if value is None:
        return None
    return value.quantize(Decimal(1) if value == value.to_integral_value() else Decimal("0.1"))
