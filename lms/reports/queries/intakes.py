"""Intake fill rate and the application funnel, per intake and per programme."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from lms.catalog.models import Programme, ProgrammeVersion
from lms.core.paging import LOOK_AHEAD, Page, paginate
from lms.extensions import db
from lms.intakes.models import Application, ApplicationStatus, Intake
from lms.reports.models import IntakeApplicationCount
from lms.reports.queries.common import Filters, Scope, ratio
from lms.timetable.models import Centre, Modality

FUNNEL = tuple(ApplicationStatus)
INTAKES = "intakes"  # the summary's name in report_summaries


class _Funnel:
    """Totals shared by an intake's line and a programme's: ``counts`` by status, ``capacity``."""

    counts: dict[ApplicationStatus, int]
    capacity: int | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def submitted(self) -> int:
        """Applications that went past the draft stage."""
        return self.total - self.counts[ApplicationStatus.DRAFT]

    @property
    def fill_rate(self) -> Decimal | None:
        return ratio(self.counts[ApplicationStatus.ACCEPTED], self.capacity)


@dataclass(frozen=True)
class IntakeLine(_Funnel):
    intake_id: int
    programme_id: int
    programme_code: str
    version: str
    academic_year: int
    centre: str
    modality: Modality
    capacity: int | None
    counts: dict[ApplicationStatus, int]


@dataclass
class ProgrammeFunnel(_Funnel):
    programme_code: str
    intakes: int = 0
    capacity: int | None = 0
    counts: dict[ApplicationStatus, int] = field(default_factory=lambda: dict.fromkeys(FUNNEL, 0))


def intake_lines(scope: Scope, filters: Filters) -> list[IntakeLine]:
    """One line per intake with its applications counted by status: one statement."""
    counts = [
        sa.func.coalesce(sa.func.sum(sa.case((Application.status == status, 1), else_=0)), 0) for status in FUNNEL
    ]
    query = (
        sa.select(
            Intake.id,
            Programme.id,
            Programme.code,
            ProgrammeVersion.version,
            Intake.academic_year,
            Centre.name,
            Intake.modality,
            Intake.capacity,
            *counts,
        )
        .select_from(Intake)
        .join(ProgrammeVersion, Intake.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .join(Centre, Intake.centre_id == Centre.id)
        .outerjoin(Application, Application.intake_id == Intake.id)
        .where(
            scope.where(Programme.id),
            filters.programme(Programme.id),
            sa.true() if filters.year is None else Intake.academic_year == filters.year,
        )
        .group_by(
            Intake.id,
            Programme.id,
            Programme.code,
            ProgrammeVersion.version,
            Intake.academic_year,
            Centre.name,
            Intake.modality,
            Intake.capacity,
        )
        .order_by(Intake.academic_year.desc(), Programme.code, ProgrammeVersion.version, Centre.name, Intake.id)
    )
    lines = []
    for row in db.session.execute(query):
        lines.append(IntakeLine(*row[:8], counts={status: int(n) for status, n in zip(FUNNEL, row[8:], strict=True)}))
    return lines


def programme_funnels(lines: list[IntakeLine]) -> list[ProgrammeFunnel]:
    """The intake lines summed per programme. Capacity is unknown (``None``) when an intake has none."""
    funnels: dict[str, ProgrammeFunnel] = {}
    for line in lines:
        funnel = funnels.setdefault(line.programme_code, ProgrammeFunnel(line.programme_code))
        funnel.intakes += 1
        funnel.capacity = None if funnel.capacity is None or line.capacity is None else funnel.capacity + line.capacity
        for status, n in line.counts.items():
            funnel.counts[status] += n
    return [funnels[code] for code in sorted(funnels)]


# --- the page: intakes paged, counts from the summary the task queue keeps ------------------------


def live_application_counts() -> sa.Select:
    """Applications counted per intake and status (what the summary holds)."""
    return sa.select(
        Application.intake_id.label("intake_id"),
        Application.status.label("status"),
        sa.func.count(Application.id).label("applications"),
    ).group_by(Application.intake_id, Application.status)


def _counts(summarised: bool):
    return IntakeApplicationCount.__table__ if summarised else live_application_counts().subquery()


def _in_scope(query: sa.Select, scope: Scope, filters: Filters) -> sa.Select:
    return (
        query.join(ProgrammeVersion, Intake.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(
            scope.where(Programme.id),
            filters.programme(Programme.id),
            sa.true() if filters.year is None else Intake.academic_year == filters.year,
        )
    )


def intake_page(
    scope: Scope, filters: Filters, page: int = 1, per_page: int = 100, summarised: bool = False
) -> Page[IntakeLine]:
    """One page of the intake lines: three statements (a count a few pages ahead, the page, its
    counts by status)."""
    query = _in_scope(
        sa.select(
            Intake.id,
            Programme.id,
            Programme.code,
            ProgrammeVersion.version,
            Intake.academic_year,
            Centre.name,
            Intake.modality,
            Intake.capacity,
        ).select_from(Intake),
        scope,
        filters,
    ).join(Centre, Intake.centre_id == Centre.id)
    ordered = query.order_by(
        Intake.academic_year.desc(), Programme.code, ProgrammeVersion.version, Centre.name, Intake.id
    )
    found = paginate(ordered, page, per_page, look_ahead=LOOK_AHEAD)
    counts = _counts(summarised)
    ids = [row[0] for row in found.rows]
    by_intake: dict[int, dict[ApplicationStatus, int]] = {ident: dict.fromkeys(FUNNEL, 0) for ident in ids}
    if ids:
        for intake_id, status, n in db.session.execute(
            sa.select(counts.c.intake_id, counts.c.status, counts.c.applications).where(counts.c.intake_id.in_(ids))
        ):
            by_intake[intake_id][ApplicationStatus(status)] = int(n)
    return found.with_rows([IntakeLine(*row, counts=by_intake[row[0]]) for row in found.rows])


def funnels(scope: Scope, filters: Filters, summarised: bool = False) -> list[ProgrammeFunnel]:
    """The funnel of each programme, summed in SQL over its intakes: two statements."""
    sizes = _in_scope(
        sa.select(
            Programme.code, sa.func.count(Intake.id), sa.func.sum(Intake.capacity), sa.func.count(Intake.capacity)
        )
        .select_from(Intake)
        .group_by(Programme.code),
        scope,
        filters,
    )
    found: dict[str, ProgrammeFunnel] = {}
    for code, intakes, capacity, with_capacity in db.session.execute(sizes):
        found[code] = ProgrammeFunnel(code, intakes, int(capacity or 0) if with_capacity == intakes else None)
    counts = _counts(summarised)
    totals = _in_scope(
        sa.select(Programme.code, counts.c.status, sa.func.sum(counts.c.applications))
        .select_from(counts)
        .join(Intake, Intake.id == counts.c.intake_id)
        .group_by(Programme.code, counts.c.status),
        scope,
        filters,
    )
    for code, status, n in db.session.execute(totals):
        found[code].counts[ApplicationStatus(status)] = int(n)
    return [found[code] for code in sorted(found)]
