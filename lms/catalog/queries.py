"""Reads of the catalogue: programmes with their versions and enrolment counts."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.catalog.models import Programme, ProgrammeVersion, Unit, programme_directors
from lms.catalog.requirements import unit_codes
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus


@dataclass(frozen=True)
class ProgrammeLine:
    version: ProgrammeVersion
    code: str
    units: int
    active_enrolments: int
    all_enrolments: int


def programme_lines(director_id: int | None = None) -> list[ProgrammeLine]:
    """Every programme version (or those of programmes ``director_id`` directs) with counts."""
    counts = (
        sa.select(
            Enrolment.programme_version_id,
            sa.func.count().label("all_enrolments"),
            sa.func.count().filter(Enrolment.status == EnrolmentStatus.ACTIVE).label("active"),
        )
        .group_by(Enrolment.programme_version_id)
        .subquery()
    )
    query = (
        sa.select(
            ProgrammeVersion,
            Programme.code,
            sa.func.coalesce(counts.c.active, 0),
            sa.func.coalesce(counts.c.all_enrolments, 0),
        )
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .outerjoin(counts, counts.c.programme_version_id == ProgrammeVersion.id)
        .order_by(Programme.code, ProgrammeVersion.version)
    )
    if director_id is not None:
        query = query.join(programme_directors, programme_directors.c.programme_id == Programme.id).where(
            programme_directors.c.user_id == director_id
        )
    return [
        ProgrammeLine(version, code, len(set(unit_codes(version.requirements))), active, total)
        for version, code, active, total in db.session.execute(query)
    ]


def unit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Unit.id))) or 0
