"""What the bulk generator builds on, read from the database in the loader's transaction: the
catalogue (units, each programme's latest version), the programmes' directors, the timetable the
demo published at Cnam Paris (a unit's usual semester), the centres already there and the next id
of every table it fills. Plain data: the generator itself (:mod:`.places`, :mod:`.plan`) never
touches the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from lms.catalog.models import Programme, ProgrammeVersion, Unit, UnitKind, programme_directors
from lms.demo.bulk.tables import NUMBERED
from lms.extensions import db
from lms.timetable.models import Centre, Offering


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    ects: float
    is_ua: bool


@dataclass(frozen=True)
class VersionInfo:
    id: int
    programme_id: int
    code: str
    kind: str
    nominal_ects: float
    entry_level: int | None
    requirements: dict[str, Any]


@dataclass
class Source:
    units: dict[str, UnitInfo]
    versions: list[VersionInfo]  # one per programme (its latest version), by programme code
    directors: dict[int, int]  # programme id -> a director's user id
    semesters: dict[str, str]  # unit code -> the semester it is taught in at Paris
    centre_codes: set[str]
    first_ids: dict[str, int]


def read_source(connection: sa.Connection) -> Source:
    units = {
        code: UnitInfo(id=id_, code=code, ects=float(ects), is_ua=kind == UnitKind.UA.value)
        for id_, code, ects, kind in connection.execute(
            sa.select(Unit.id, Unit.code, Unit.ects, sa.cast(Unit.kind, sa.String))
        )
    }
    latest: dict[str, VersionInfo] = {}
    rows = connection.execute(
        sa.select(
            ProgrammeVersion.id,
            ProgrammeVersion.programme_id,
            Programme.code,
            sa.cast(ProgrammeVersion.kind, sa.String),
            ProgrammeVersion.nominal_ects,
            ProgrammeVersion.entry_level,
            ProgrammeVersion.requirements,
        )
        .join(Programme, Programme.id == ProgrammeVersion.programme_id)
        .order_by(Programme.code, ProgrammeVersion.version)
    )
    for id_, programme_id, code, kind, ects, entry, requirements in rows:
        latest[code] = VersionInfo(id_, programme_id, code, kind, float(ects), entry, requirements)
    directors: dict[int, int] = {}
    for programme_id, user_id in connection.execute(
        sa.select(programme_directors.c.programme_id, programme_directors.c.user_id).order_by(
            programme_directors.c.programme_id, programme_directors.c.user_id
        )
    ):
        directors.setdefault(programme_id, user_id)
    semesters: dict[str, str] = {}
    for code, semester in connection.execute(
        sa.select(Unit.code, sa.cast(Offering.semester, sa.String))
        .join(Offering, Offering.unit_id == Unit.id)
        .order_by(Offering.academic_year.desc(), Offering.id)
    ):
        semesters.setdefault(code, semester)
    first_ids = {}
    for table in NUMBERED:
        column = db.metadata.tables[table].c.id
        first_ids[table] = (connection.scalar(sa.select(sa.func.max(column))) or 0) + 1
    return Source(
        units=units,
        versions=[latest[code] for code in sorted(latest)],
        directors=directors,
        semesters=semesters,
        centre_codes=set(connection.scalars(sa.select(Centre.code))),
        first_ids=first_ids,
    )
