"""The learner's catalogue of offerings: filters, places left, their own status, whether they
validated the unit already and where it fits in their programmes. A fixed number of statements
whatever the number of offerings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from lms.accounts.models import Learner
from lms.catalog.models import Unit
from lms.core.paging import Page, paginate
from lms.core.search import matches_words
from lms.core.time import academic_year
from lms.extensions import db
from lms.timetable.models import (
    Centre,
    Modality,
    Offering,
    Registration,
    RegistrationStatus,
    Semester,
    semester_order,
)
from lms.timetable.queries.programme_fit import Placement, ProgrammeContext
from lms.timetable.services.registrations import (
    WindowState,
    validated_units,
    window_state,
)

EVENING = frozenset({Modality.PRESENTIEL_SOIR, Modality.HYBRIDE_SOIR, Modality.DISTANCE_PLANIFIEE_SOIR})
# Hybrid offerings are partly remote: the "distance" filter keeps them (its help text says so).
DISTANCE = frozenset(
    {
        Modality.FOAD,
        Modality.DISTANCE_PLANIFIEE_JOUR,
        Modality.DISTANCE_PLANIFIEE_SOIR,
        Modality.HYBRIDE_JOUR,
        Modality.HYBRIDE_SOIR,
    }
)
MINE = "mine"


def centre_choices() -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(sa.select(Centre.id, Centre.name).order_by(Centre.name))]


# --- the catalogue of offerings -------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueFilters:
    programme: str = ""  # "": any programme; "mine": any of mine; otherwise a programme code
    year: int | None = None  # None: the current and the next academic year
    semester: str = ""
    modality: str = ""
    centre: int | None = None
    evening: bool = False
    distance: bool = False
    unit: str = ""  # words of the unit's code or title


@dataclass(frozen=True)
class OfferingLine:
    offering: Offering
    unit: Unit
    centre: Centre
    registered: int
    waitlisted: int
    my_status: RegistrationStatus | None
    window: WindowState
    placements: list[Placement]
    validated: bool = False

    @property
    def places_left(self) -> int | None:
        if self.offering.capacity is None:
            return None
        return max(0, self.offering.capacity - self.registered)


def catalogue_years(today: date) -> tuple[int, int]:
    current = academic_year(today)
    return current, current + 1


def _conditions(filters: CatalogueFilters, context: ProgrammeContext, today: date) -> list[Any]:
    conditions: list[Any] = []
    if filters.year is not None:
        conditions.append(Offering.academic_year == filters.year)
    else:
        conditions.append(Offering.academic_year.in_(catalogue_years(today)))
    if filters.semester:
        conditions.append(Offering.semester == Semester(filters.semester))
    if filters.modality:
        conditions.append(Offering.modality == Modality(filters.modality))
    if filters.centre:
        conditions.append(Offering.centre_id == filters.centre)
    if filters.evening:
        conditions.append(Offering.modality.in_(sorted(EVENING)))
    if filters.distance:
        conditions.append(Offering.modality.in_(sorted(DISTANCE)))
    if filters.programme:
        codes = context.codes(None if filters.programme == MINE else filters.programme)
        conditions.append(Unit.code.in_(sorted(codes)) if codes else sa.false())
    if filters.unit:
        conditions.append(matches_words(filters.unit, Unit.search_key))
    return conditions


def _lines_query(learner: Learner | None) -> sa.Select:
    """Offerings with their counts and ``learner``'s own status (none without a learner)."""

    def counted(status: RegistrationStatus):
        return (
            sa.select(sa.func.count(Registration.id))
            .where(Registration.offering_id == Offering.id, Registration.status == status)
            .correlate(Offering)
            .scalar_subquery()
        )

    if learner is None:
        mine: Any = sa.null()
    else:
        mine = (
            sa.select(Registration.status)
            .where(Registration.offering_id == Offering.id, Registration.learner_id == learner.id)
            .correlate(Offering)
            .scalar_subquery()
        )
    return (
        sa.select(
            Offering,
            Unit,
            Centre,
            counted(RegistrationStatus.REGISTERED),
            counted(RegistrationStatus.WAITLISTED),
            mine,
        )
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Centre, Offering.centre_id == Centre.id)
    )


def _lines(learner: Learner | None, rows, context: ProgrammeContext, today: date) -> list[OfferingLine]:
    validated = validated_units(learner.id, sorted({unit.id for _, unit, *_ in rows})) if learner else set()
    return [
        OfferingLine(
            offering=offering,
            unit=unit,
            centre=centre,
            registered=registered or 0,
            waitlisted=waitlisted or 0,
            my_status=RegistrationStatus(status) if status else None,
            window=window_state(offering.registration_opens_on, offering.registration_closes_on, today),
            placements=context.placements(unit.code),
            validated=unit.id in validated,
        )
        for offering, unit, centre, registered, waitlisted, status in rows
    ]


def catalogue_page(
    learner: Learner | None,
    filters: CatalogueFilters,
    context: ProgrammeContext,
    today: date,
    page: int = 1,
    per_page: int = 25,
) -> Page[OfferingLine]:
    """One page of offerings with their counts, the learner's own status, whether they already
    validated the unit and where it fits in their programmes: three statements. Without a
    learner (staff reading the catalogue), no status and nothing validated."""
    conditions = _conditions(filters, context, today)
    count = sa.select(sa.func.count(Offering.id)).join(Unit, Offering.unit_id == Unit.id).where(*conditions)
    query = (
        _lines_query(learner)
        .where(*conditions)
        .order_by(
            Offering.academic_year,
            semester_order(Offering.semester),
            Unit.code,
            Centre.name,
            Offering.modality,
            Offering.id,
        )
    )
    found = paginate(query, page, per_page, count=count)
    return found.with_rows(_lines(learner, found.rows, context, today))


def offering_line(
    learner: Learner | None, offering_id: int, context: ProgrammeContext, today: date
) -> OfferingLine | None:
    """One offering as a line of the catalogue (any year), or None if there is none."""
    rows = db.session.execute(_lines_query(learner).where(Offering.id == offering_id)).all()
    lines = _lines(learner, rows, context, today)
    return lines[0] if lines else None
