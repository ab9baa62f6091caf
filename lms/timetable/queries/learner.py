"""Reads for the learner's side of the timetable: the offering catalogue (filters, places left,
where a unit fits in the learner's programmes), their meetings and their calendar feed.

Every page issues a fixed number of statements whatever the number of offerings or meetings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm

from lms.accounts.models import Learner
from lms.catalog.models import (
    Equivalence,
    Programme,
    ProgrammeVersion,
    Unit,
    equivalence_sources,
)
from lms.core.paging import Page, paginate
from lms.core.time import academic_year, local_time
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.timetable.models import (
    CalendarFeed,
    Centre,
    Meeting,
    Modality,
    Offering,
    Registration,
    RegistrationStatus,
    Semester,
    semester_order,
)
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


# --- where a unit fits in a requirement tree (pure) -----------------------------------------------


@dataclass(frozen=True)
class Group:
    """The group of a requirement tree holding a unit, ready to put in words."""

    kind: str  # all | choose | credits
    label: str | None  # the group's label, or the nearest labelled ancestor's
    total: int  # number of requirements listed in the group
    choose: int | None = None
    credits: Any = None
    top: bool = False  # the root of the tree (the programme itself)


def unit_groups(tree: dict[str, Any]) -> dict[str, Group]:
    """For each unit named by ``tree`` (normal form), the group holding it (its first place)."""
    found: dict[str, Group] = {}

    def walk(node: dict[str, Any], inherited: str | None, top: bool) -> None:
        children = node.get("all", node.get("of", []))
        label = node.get("label") or inherited
        kind = "all" if "all" in node else ("choose" if "choose" in node else "credits")
        group = Group(kind, label, len(children), node.get("choose"), node.get("credits"), top)
        for child in children:
            if "unit" in child:
                found.setdefault(child["unit"], group)
            else:
                walk(child, label, False)

    if "unit" in tree:
        found[tree["unit"]] = Group("all", None, 1, top=True)
    else:
        walk(tree, None, True)
    return found


@dataclass(frozen=True)
class Placement:
    """Where an offering's unit counts in one of the learner's programmes."""

    programme: str
    group: Group | None = None  # the group holding the unit itself
    via: str | None = None  # or: the unit of the tree it counts as, by equivalence


@dataclass
class ProgrammeContext:
    """The learner's programmes (active enrolments): their trees, and equivalences into them."""

    trees: dict[str, dict[str, Any]] = field(default_factory=dict)  # programme code -> tree
    groups: dict[str, dict[str, Group]] = field(default_factory=dict)
    equivalent: dict[str, set[str]] = field(default_factory=dict)  # source unit -> targets

    def codes(self, programme: str | None = None) -> set[str]:
        """Units counting toward ``programme`` (or any of them), equivalence sources included."""
        chosen = [programme] if programme else list(self.trees)
        codes = {code for name in chosen if name in self.groups for code in self.groups[name]}
        codes |= {source for source, targets in self.equivalent.items() if targets & codes}
        return codes

    def placements(self, unit: str) -> list[Placement]:
        found = []
        for programme, groups in self.groups.items():
            if unit in groups:
                found.append(Placement(programme, group=groups[unit]))
                continue
            targets = sorted(self.equivalent.get(unit, set()) & set(groups))
            if targets:
                found.append(Placement(programme, via=targets[0]))
        return found


def equivalences_into(codes: set[str]) -> dict[str, set[str]]:
    """Source unit -> the units of ``codes`` it counts as (one statement)."""
    if not codes:
        return {}
    target, source = sa.orm.aliased(Unit), sa.orm.aliased(Unit)
    rows = db.session.execute(
        sa.select(source.code, target.code)
        .select_from(Equivalence)
        .join(target, Equivalence.counts_as_id == target.id)
        .join(equivalence_sources, equivalence_sources.c.equivalence_id == Equivalence.id)
        .join(source, equivalence_sources.c.unit_id == source.id)
        .where(target.code.in_(sorted(codes)))
    )
    mapping: dict[str, set[str]] = {}
    for source_code, target_code in rows:
        mapping.setdefault(source_code, set()).add(target_code)
    return mapping


def programme_context(learner: Learner, extra: tuple[str, dict[str, Any]] | None = None) -> ProgrammeContext:
    """The trees of the learner's active enrolments (and ``extra``, a programme chosen in the
    filter), with the equivalences into them: two statements."""
    rows = db.session.execute(
        sa.select(Programme.code, ProgrammeVersion.requirements)
        .select_from(Enrolment)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(Enrolment.learner_id == learner.id, Enrolment.status == EnrolmentStatus.ACTIVE)
        .order_by(Programme.code, Enrolment.enrolled_on)
    )
    context = ProgrammeContext()
    for code, tree in rows:
        context.trees[code] = tree
    if extra is not None and extra[0] not in context.trees:
        context.trees[extra[0]] = extra[1]
    context.groups = {code: unit_groups(tree) for code, tree in context.trees.items()}
    every = {code for groups in context.groups.values() for code in groups}
    context.equivalent = equivalences_into(every)
    return context


def enrolled_programme_codes(learner: Learner) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Programme.code)
            .distinct()
            .join(ProgrammeVersion, ProgrammeVersion.programme_id == Programme.id)
            .join(Enrolment, Enrolment.programme_version_id == ProgrammeVersion.id)
            .where(Enrolment.learner_id == learner.id, Enrolment.status == EnrolmentStatus.ACTIVE)
            .order_by(Programme.code)
        )
    )


def programme_choices() -> list[tuple[str, str]]:
    """Every programme: (code, title of its latest version), by code (one statement)."""
    rows = db.session.execute(
        sa.select(Programme.code, ProgrammeVersion.title)
        .join(ProgrammeVersion, ProgrammeVersion.programme_id == Programme.id)
        .order_by(Programme.code, ProgrammeVersion.version)
    )
    latest: dict[str, str] = {}
    for code, title in rows:
        latest[code] = title
    return list(latest.items())


def latest_tree(code: str) -> dict[str, Any] | None:
    return db.session.scalar(
        sa.select(ProgrammeVersion.requirements)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(Programme.code == code)
        .order_by(ProgrammeVersion.version.desc())
        .limit(1)
    )


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


def catalogue_page(
    learner: Learner,
    filters: CatalogueFilters,
    context: ProgrammeContext,
    today: date,
    page: int = 1,
    per_page: int = 25,
) -> Page[OfferingLine]:
    """One page of offerings with their counts, the learner's own status, whether they already
    validated the unit and where it fits in their programmes: three statements."""
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

    count = sa.select(sa.func.count(Offering.id)).join(Unit, Offering.unit_id == Unit.id).where(*conditions)

    def counted(status: RegistrationStatus):
        return (
            sa.select(sa.func.count(Registration.id))
            .where(Registration.offering_id == Offering.id, Registration.status == status)
            .correlate(Offering)
            .scalar_subquery()
        )

    mine = (
        sa.select(Registration.status)
        .where(Registration.offering_id == Offering.id, Registration.learner_id == learner.id)
        .correlate(Offering)
        .scalar_subquery()
    )
    query = (
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
    rows = found.rows
    validated = validated_units(learner.id, sorted({unit.id for _, unit, *_ in rows}))
    lines = [
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
    return found.with_rows(lines)


# --- the learner's meetings ---------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingLine:
    meeting: Meeting
    offering: Offering
    unit: Unit
    centre: Centre

    @property
    def starts(self) -> datetime:
        return local_time(self.meeting.starts_at, self.centre.timezone)

    @property
    def ends(self) -> datetime:
        return local_time(self.meeting.ends_at, self.centre.timezone)

    @property
    def cancelled(self) -> bool:
        return self.meeting.status == "cancelled"


def _meetings(
    learner_id: int, *conditions: Any, order: Iterable[Any] = (), limit: int | None = None
) -> list[MeetingLine]:
    query = (
        sa.select(Meeting, Offering, Unit, Centre)
        .join(Offering, Meeting.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Centre, Offering.centre_id == Centre.id)
        .join(Registration, Registration.offering_id == Offering.id)
        .where(
            Registration.learner_id == learner_id,
            Registration.status == RegistrationStatus.REGISTERED,
            *conditions,
        )
        .order_by(*(order or (Meeting.starts_at, Meeting.id)))
    )
    if limit is not None:
        query = query.limit(limit)
    return [MeetingLine(*row) for row in db.session.execute(query)]


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def week_meetings(learner_id: int, monday: date) -> dict[date, list[MeetingLine]]:
    """Meetings of the week starting ``monday``, by local day (each in its centre's timezone);
    every day of the week is a key, in order."""
    start = datetime.combine(monday - timedelta(days=1), time(0), tzinfo=UTC)
    end = datetime.combine(monday + timedelta(days=8), time(0), tzinfo=UTC)
    days: dict[date, list[MeetingLine]] = {monday + timedelta(days=n): [] for n in range(7)}
    for line in _meetings(learner_id, Meeting.starts_at >= start, Meeting.starts_at < end):
        day = line.starts.date()
        if day in days:
            days[day].append(line)
    return days


def upcoming_and_past(learner_id: int, now: datetime, limit: int = 200) -> tuple[list[MeetingLine], list[MeetingLine]]:
    upcoming = _meetings(learner_id, Meeting.ends_at >= now, limit=limit)
    past = _meetings(
        learner_id, Meeting.ends_at < now, order=(Meeting.starts_at.desc(), Meeting.id.desc()), limit=limit
    )
    return upcoming, past


def feed_meetings(learner_id: int) -> list[MeetingLine]:
    return _meetings(learner_id)


def feed_of(learner_id: int) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.learner_id == learner_id))


def feed_by_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token == token))


def learner_registration(learner_id: int, offering_id: int) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(Registration.learner_id == learner_id, Registration.offering_id == offering_id)
    )
