"""Reads for administrators: centres with their use, a filtered page of offerings with counts,
tutors to choose from, the meetings of an offering. A constant number of statements per page."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import Role, User, UserRole
from lms.catalog.models import Unit
from lms.core.paging import LOOK_AHEAD, Page, paginate
from lms.core.search import matches_words
from lms.extensions import db
from lms.timetable.models import (
    Centre,
    Meeting,
    Modality,
    Offering,
    Registration,
    RegistrationStatus,
    Semester,
    semester_order,
)
from lms.timetable.queries.counts import offering_registration_counts

# --- centres ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CentreLine:
    centre: Centre
    offerings: int


def centre_lines() -> list[CentreLine]:
    used = sa.select(Offering.centre_id, sa.func.count(Offering.id).label("n")).group_by(Offering.centre_id).subquery()
    query = (
        sa.select(Centre, sa.func.coalesce(used.c.n, 0))
        .outerjoin(used, used.c.centre_id == Centre.id)
        .order_by(Centre.code)
    )
    return [CentreLine(centre, count) for centre, count in db.session.execute(query)]


def centre_choices() -> list[tuple[int, str]]:
    return [
        (centre.id, f"{centre.code} — {centre.name}")
        for centre in db.session.scalars(sa.select(Centre).order_by(Centre.code))
    ]


def tutor_choices() -> list[tuple[int, str]]:
    query = (
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.TUTOR)
        .order_by(User.name, User.email)
    )
    return [(user.id, f"{user.name} ({user.email})") for user in db.session.scalars(query)]


# --- offerings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferingFilters:
    year: int | None = None
    semester: Semester | None = None
    centre_id: int | None = None
    modality: Modality | None = None
    unit: str = ""

    def values(self) -> dict:
        """Query-string values of the filters (for page links)."""
        return {
            key: value
            for key, value in (
                ("year", self.year),
                ("semester", self.semester.value if self.semester else None),
                ("centre", self.centre_id),
                ("modality", self.modality.value if self.modality else None),
                ("unit", self.unit or None),
            )
            if value is not None
        }


@dataclass(frozen=True)
class OfferingLine:
    offering: Offering
    unit: Unit
    centre: Centre
    registered: int
    waitlisted: int

    @property
    def over_capacity(self) -> bool:
        return self.offering.capacity is not None and self.registered > self.offering.capacity


def _conditions(filters: OfferingFilters) -> list:
    conditions = []
    if filters.year is not None:
        conditions.append(Offering.academic_year == filters.year)
    if filters.semester is not None:
        conditions.append(Offering.semester == filters.semester)
    if filters.centre_id is not None:
        conditions.append(Offering.centre_id == filters.centre_id)
    if filters.modality is not None:
        conditions.append(Offering.modality == filters.modality)
    if filters.unit:
        conditions.append(matches_words(filters.unit, Unit.search_key))
    return conditions


def offering_page(filters: OfferingFilters, page: int = 1, per_page: int = 50) -> Page[OfferingLine]:
    """Offerings matching ``filters``, newest year first, with registered and waitlisted counts:
    three statements whatever the data (a count a few pages ahead, one page, its registrations
    counted)."""
    conditions = _conditions(filters)
    count = sa.select(Offering.id).join(Unit, Offering.unit_id == Unit.id).where(*conditions)
    query = (
        sa.select(Offering, Unit, Centre)
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Centre, Offering.centre_id == Centre.id)
        .where(*conditions)
        .order_by(
            Offering.academic_year.desc(),
            semester_order(Offering.semester),
            Unit.code,
            Centre.code,
            Offering.id,
        )
    )
    found = paginate(query, page, per_page, count=count, look_ahead=LOOK_AHEAD)
    # Counted for this page's offerings only (one more statement): never over every registration.
    counts = offering_registration_counts([offering.id for offering, _unit, _centre in found.rows])
    by_offering = {
        offering_id: (registered, waitlisted)
        for offering_id, registered, waitlisted in db.session.execute(sa.select(counts))
    }
    return found.with_rows(
        [
            OfferingLine(offering, unit, centre, *by_offering.get(offering.id, (0, 0)))
            for offering, unit, centre in found.rows
        ]
    )


def offering_years() -> list[int]:
    return list(
        db.session.scalars(sa.select(Offering.academic_year).distinct().order_by(Offering.academic_year.desc()))
    )


def registration_counts(offering_id: int) -> tuple[int, int]:
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(Registration.status == RegistrationStatus.REGISTERED),
            sa.func.count().filter(Registration.status == RegistrationStatus.WAITLISTED),
        ).where(Registration.offering_id == offering_id)
    ).one()
    return row[0] or 0, row[1] or 0


# --- meetings --------------------------------------------------------------------------------------


def offering_meetings(offering_id: int) -> list[Meeting]:
    return list(
        db.session.scalars(
            sa.select(Meeting).where(Meeting.offering_id == offering_id).order_by(Meeting.starts_at, Meeting.id)
        )
    )
