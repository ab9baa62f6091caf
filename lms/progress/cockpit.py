"""Reads of the learner's cockpit: the dashboard (per programme: progress, next steps with where
to take them, recent results) and the requirement tree of one programme with, for each missing
unit, its next offerings. A fixed number of statements whatever the learner's history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from lms.accounts.models import Learner
from lms.catalog.models import Unit
from lms.core.time import academic_year
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.audit.figures import Figures, figures_of
from lms.progress.models import ProgressSnapshot
from lms.progress.queries import learner_programmes
from lms.results.models import Result, ResultStatus
from lms.timetable.models import Centre, Offering, Registration, RegistrationStatus, Semester, semester_order

NEXT_OFFERINGS_PER_UNIT = 3
RECENT_RESULTS = 5


@dataclass(frozen=True)
class NextOffering:
    offering_id: int
    academic_year: int
    semester: str
    modality: str
    centre: str
    opens_on: date | None
    closes_on: date | None


@dataclass(frozen=True)
class NextStep:
    code: str
    title: str
    ects: Decimal
    registered: bool  # taken this year: validating it is the next step
    offerings: tuple[NextOffering, ...] = ()


@dataclass(frozen=True)
class RecentResult:
    code: str
    title: str
    grade: Decimal | None
    absent: bool
    decision: str | None
    session: int
    published_on: date | None


@dataclass
class ProgrammeProgress:
    enrolment: Enrolment
    version: Any
    snapshot: ProgressSnapshot | None
    steps: list[NextStep] = field(default_factory=list)
    figures: Figures | None = None  # set by with_figures()

    @property
    def result(self) -> dict[str, Any]:
        return self.snapshot.result if self.snapshot else {}

    def with_figures(self, unit_ects: Mapping[str, Any] | None = None) -> ProgrammeProgress:
        """Sets :attr:`figures` from the stored audit; ``unit_ects``: the ECTS of the units it
        applies nowhere here (the surplus)."""
        if self.snapshot is not None:
            self.figures = figures_of(self.snapshot.result, self.version.nominal_ects, unit_ects)
        return self


def units_by_code(codes: Iterable[str]) -> dict[str, Unit]:
    codes = set(codes)
    return {unit.code: unit for unit in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))}


def next_offerings(
    codes: Iterable[str], today: date, limit: int = NEXT_OFFERINGS_PER_UNIT
) -> dict[str, list[NextOffering]]:
    """For each unit, its next offerings one can still register for: this year's whose window has
    not closed, then later years', in calendar order (one statement)."""
    codes = set(codes)
    year = academic_year(today)
    rows = db.session.execute(
        sa.select(
            Unit.code,
            Offering.id,
            Offering.academic_year,
            Offering.semester,
            Offering.modality,
            Centre.name,
            Offering.registration_opens_on,
            Offering.registration_closes_on,
        )
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Centre, Offering.centre_id == Centre.id)
        .where(
            Unit.code.in_(codes),
            sa.or_(
                Offering.academic_year > year,
                sa.and_(
                    Offering.academic_year == year,
                    sa.or_(Offering.registration_closes_on.is_(None), Offering.registration_closes_on >= today),
                ),
            ),
        )
        .order_by(Unit.code, Offering.academic_year, semester_order(Offering.semester), Offering.modality, Centre.name)
    )
    found: dict[str, list[NextOffering]] = defaultdict(list)
    for code, offering_id, year_, semester, modality, centre, opens, closes in rows:
        if len(found[code]) < limit:
            found[code].append(
                NextOffering(offering_id, year_, Semester(semester).value, modality.value, centre, opens, closes)
            )
    return found


def registered_codes(learner: Learner, today: date) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Unit.code)
            .join(Offering, Offering.unit_id == Unit.id)
            .join(Registration, Registration.offering_id == Offering.id)
            .where(
                Registration.learner_id == learner.id,
                Registration.status == RegistrationStatus.REGISTERED,
                Offering.academic_year == academic_year(today),
            )
        )
    )


def programme_progress(learner: Learner, code: str) -> ProgrammeProgress | None:
    """One of the learner's programmes with its stored audit (no next steps)."""
    return next(
        (ProgrammeProgress(e, v, s) for e, v, s in learner_programmes(learner) if v.programme.code == code), None
    )


def programmes_with_figures(learner: Learner, unit_ects: Mapping[str, Any] | None = None) -> list[ProgrammeProgress]:
    """Every programme of the learner with its stored audit and figures (two statements; one when
    the caller knows the ECTS of the learner's validated units, ``unit_ects``)."""
    programmes = [ProgrammeProgress(e, v, s) for e, v, s in learner_programmes(learner)]
    if unit_ects is None:
        unused = {code for p in programmes for code in p.result.get("unused", ())}
        unit_ects = {code: unit.ects for code, unit in units_by_code(unused).items()} if unused else {}
    return [p.with_figures(unit_ects) for p in programmes]


def dashboard(learner: Learner, today: date) -> list[ProgrammeProgress]:
    """Every programme of the learner with its stored audit and next steps (four statements once
    the audits are stored)."""
    programmes = [ProgrammeProgress(e, v, s) for e, v, s in learner_programmes(learner)]
    if any(p.snapshot is None or "to_complete" not in p.snapshot.result for p in programmes):
        # Stored before audits named their next units (or never computed): audit once more now.
        from lms.progress.services import refresh_progress

        refresh_progress([learner.id], today)
        programmes = [ProgrammeProgress(e, v, s) for e, v, s in learner_programmes(learner)]
    wanted = {code for p in programmes for code in p.result.get("to_complete", ())}
    unused = {code for p in programmes for code in p.result.get("unused", ())}
    units = units_by_code(wanted | unused)  # one statement: next steps, and the surplus's ECTS
    unit_ects = {code: unit.ects for code, unit in units.items()}
    offerings = next_offerings(wanted, today)
    registered = registered_codes(learner, today)
    for programme in programmes:
        programme.with_figures(unit_ects)
        programme.steps = [
            NextStep(code, units[code].title, units[code].ects, code in registered, tuple(offerings.get(code, ())))
            for code in programme.result.get("to_complete", ())
            if code in units
        ]
    return programmes


def recent_results(learner: Learner, limit: int = RECENT_RESULTS) -> list[RecentResult]:
    rows = db.session.execute(
        sa.select(
            Unit.code,
            Unit.title,
            Result.grade,
            Result.absent,
            Result.decision,
            Result.exam_session,
            Result.decided_on,
            Result.published_at,
        )
        .join(Registration, Result.registration_id == Registration.id)
        .join(Offering, Registration.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .where(Registration.learner_id == learner.id, Result.status == ResultStatus.PUBLISHED)
        .order_by(Result.published_at.desc().nulls_last(), Result.id.desc())
        .limit(limit)
    )
    return [
        RecentResult(
            code,
            title,
            grade,
            absent,
            decision.value if decision else None,
            session,
            decided_on or (published_at.date() if published_at else None),
        )
        for code, title, grade, absent, decision, session, decided_on, published_at in rows
    ]


def leaf_codes(node: dict[str, Any]) -> list[str]:
    if node.get("kind") == "unit":
        return [node["unit"]]
    return [code for child in node.get("children", ()) for code in leaf_codes(child)]
