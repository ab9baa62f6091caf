"""Cohort progress: the validated ECTS that count toward the programme of active enrolments, binned
per programme version."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from lms.catalog.models import Programme, ProgrammeVersion
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.progress.models import ProgressSnapshot
from lms.reports.queries.common import Filters, Scope, median


@dataclass(frozen=True)
class Bin:
    low: int
    high: int
    learners: int


@dataclass(frozen=True)
class Cohort:
    version_id: int
    programme_code: str
    version: str
    title: str
    nominal_ects: Decimal
    learners: int
    median_ects: Decimal | None
    bins: list[Bin]


def bin_width(nominal: Decimal) -> int:
    """10 ECTS, or 5 for programmes of less than 60 ECTS (certificates)."""
    return 10 if nominal >= 60 else 5


def make_bins(nominal: Decimal, counts: dict[Decimal, int]) -> list[Bin]:
    """Bins ``[low, high)`` of :func:`bin_width` ECTS from 0 to the nominal ECTS (the last one may be
    narrower); the last one also holds the learners at or beyond the nominal ECTS."""
    width = bin_width(nominal)
    number = max(1, math.ceil(nominal / width))
    learners = [0] * number
    for earned, n in counts.items():
        learners[min(int(earned // width), number - 1)] += n
    top = math.ceil(nominal) if nominal > 0 else width
    return [
        Bin(index * width, top if index == number - 1 else (index + 1) * width, n) for index, n in enumerate(learners)
    ]


def cohorts(scope: Scope, filters: Filters) -> list[Cohort]:
    """Active enrolments' stored audits, counted per programme version and validated ECTS that
    count there (``counted_ects``, as on the learner's page; one
    statement, at most one row per distinct ECTS value), then binned. The year filter keeps the
    enrolments that started in that academic year."""
    query = (
        sa.select(
            ProgrammeVersion.id,
            Programme.code,
            ProgrammeVersion.version,
            ProgrammeVersion.title,
            ProgrammeVersion.nominal_ects,
            ProgressSnapshot.counted_ects,
            sa.func.count(),
        )
        .select_from(ProgressSnapshot)
        .join(Enrolment, ProgressSnapshot.enrolment_id == Enrolment.id)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(
            Enrolment.status == EnrolmentStatus.ACTIVE,
            scope.where(Programme.id),
            filters.programme(Programme.id),
            filters.within_year(Enrolment.enrolled_on),
        )
        .group_by(
            ProgrammeVersion.id,
            Programme.code,
            ProgrammeVersion.version,
            ProgrammeVersion.title,
            ProgrammeVersion.nominal_ects,
            ProgressSnapshot.counted_ects,
        )
        .order_by(Programme.code, ProgrammeVersion.version, ProgrammeVersion.id, ProgressSnapshot.counted_ects)
    )
    grouped: dict[int, tuple[tuple, dict[Decimal, int]]] = {}
    for version_id, code, version, title, nominal, earned, n in db.session.execute(query):
        grouped.setdefault(version_id, ((code, version, title, Decimal(nominal)), {}))[1][Decimal(earned)] = int(n)
    result = []
    for version_id, ((code, version, title, nominal), counts) in grouped.items():
        values = [earned for earned, n in sorted(counts.items()) for _ in range(n)]
        result.append(
            Cohort(version_id, code, version, title, nominal, len(values), median(values), make_bins(nominal, counts))
        )
    return result
