"""The planner's database side: its inputs from the database, saved study plans, their re-check
when results or the catalogue change, and the "registration opens" notices. Flushes, never commits.

- :func:`planner_slots`: the offerings of the current and later years of some units; for each
  unit, its latest published year is assumed to repeat yearly (``assumed``, no offering id).
- :func:`propose` / :func:`save_plan`: a plan for one enrolment, and storing it as a StudyPlan.
- :func:`recheck_plans`: re-check the saved plans of some learners, tell them once when a plan
  stops working (``plan_broken``). Called by the hook :func:`lms_progress_refreshed`.
- :func:`notify_opening_windows`: tell learners whose plan holds an offering whose registration
  window is open (opened today or since the last run); each (unit, offering) is announced once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from lms.accounts.models import Learner, User
from lms.catalog.models import Programme, ProgrammeVersion, Unit
from lms.core.i18n import lazy_gettext as _l
from lms.core.time import utcnow
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.audit.catalogue import Catalog, ProgramDef
from lms.progress.audit.planner import (
    HORIZON_YEARS,
    Plan,
    Preferences,
    Problem,
    Slot,
    check_plan,
    extend_slots,
    plan,
    start_term,
)
from lms.progress.audit.records import LearnerRecord
from lms.progress.audit.requirements import unit_codes
from lms.progress.models import StudyPlan
from lms.progress.queries import catalogue_from_database
from lms.progress.records import learner_record
from lms.timetable.models import Centre, Offering, Registration, RegistrationStatus

PLAN_PATH = "/me/plan"


def _link(endpoint: str = "progress_planner.index", **values) -> str:
    from flask import has_request_context, url_for

    return url_for(endpoint, **values) if has_request_context() else PLAN_PATH


# --- inputs ----------------------------------------------------------------------------------------------


def planner_slots(codes: Iterable[str], from_year: int, horizon_years: int = HORIZON_YEARS) -> list[Slot]:
    """Offerings of ``codes`` from ``from_year`` on, plus each unit's latest published year (even an
    earlier one) repeated yearly up to the horizon, flagged ``assumed``. One statement."""
    codes = sorted(set(codes))
    if not codes:
        return []
    latest = (
        sa.select(Offering.unit_id, sa.func.max(Offering.academic_year).label("year"))
        .group_by(Offering.unit_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Offering.id, Unit.code, Offering.academic_year, Offering.semester, Offering.modality, Centre.code)
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Centre, Offering.centre_id == Centre.id)
        .join(latest, latest.c.unit_id == Offering.unit_id)
        .where(
            Unit.code.in_(codes), sa.or_(Offering.academic_year >= from_year, Offering.academic_year == latest.c.year)
        )
        .order_by(Unit.code, Offering.academic_year, Offering.id)
    )
    slots = [
        Slot(code, year, semester.value, modality.value, centre, offering_id)
        for offering_id, code, year, semester, modality, centre in rows
    ]
    return extend_slots(slots, from_year + horizon_years)


def program_units(program: ProgramDef) -> list[str]:
    return list(dict.fromkeys(unit_codes(program.requirements)))


def enrolment_program(enrolment: Enrolment, catalog: Catalog) -> ProgramDef:
    version = enrolment.programme_version
    return catalog.programs[(version.programme.code, version.version)]


@dataclass(frozen=True)
class Proposal:
    plan: Plan
    program: ProgramDef
    catalog: Catalog


def propose(
    enrolment: Enrolment,
    preferences: Preferences,
    pinned: Iterable[str] = (),
    removed: Iterable[str] = (),
    today: date | None = None,
    catalog: Catalog | None = None,
    record: LearnerRecord | None = None,
) -> Proposal:
    today = today or utcnow().date()
    catalog = catalog or catalogue_from_database()
    program = enrolment_program(enrolment, catalog)
    record = record or learner_record(enrolment.learner, today)
    start = start_term(today)
    slots = planner_slots(program_units(program), start[0])
    result = plan(
        program, catalog.units, catalog.equivalences, record, slots, preferences, start, pinned, removed, today
    )
    return Proposal(result, program, catalog)


# --- saved plans --------------------------------------------------------------------------------------


def plan_for(enrolment_id: int) -> StudyPlan | None:
    return db.session.scalar(sa.select(StudyPlan).where(StudyPlan.enrolment_id == enrolment_id))


def problems_json(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    return [{"kind": problem.kind, "unit": problem.unit} for problem in problems]


def save_plan(
    enrolment: Enrolment, proposal: Plan, pinned: Iterable[str], removed: Iterable[str], now: datetime | None = None
) -> StudyPlan:
    """Store (or replace) the enrolment's plan. Only a plan that works can be saved."""
    if not proposal.works:
        raise ValueError("only a plan that completes the programme can be saved")
    now = now or utcnow()
    saved = plan_for(enrolment.id)
    if saved is None:
        saved = StudyPlan(enrolment_id=enrolment.id)
        db.session.add(saved)
    saved.preferences = proposal.preferences.as_json()
    saved.pinned = sorted(set(pinned))
    saved.removed = sorted(set(removed))
    saved.schedule = proposal.schedule_json()
    saved.completion_year, saved.completion_semester = proposal.completion
    saved.works = True
    saved.problems = []
    saved.saved_at = now
    saved.checked_at = now
    db.session.flush()
    return saved


def delete_plan(enrolment: Enrolment) -> bool:
    saved = plan_for(enrolment.id)
    if saved is None:
        return False
    db.session.delete(saved)
    db.session.flush()
    return True


def recheck_plans(
    learner_ids: Iterable[int],
    catalog: Catalog | None = None,
    as_of: date | None = None,
    records: Mapping[int, LearnerRecord] | None = None,
) -> int:
    """Re-check the saved plans of these learners; returns how many stopped working now (their
    learners are told once: ``plan_broken``). A plan that works again is marked so, silently."""
    ids = sorted(set(learner_ids))
    if not ids:
        return 0
    rows = db.session.execute(
        sa.select(StudyPlan, Enrolment, Programme.code, ProgrammeVersion.version)
        .join(Enrolment, StudyPlan.enrolment_id == Enrolment.id)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(Enrolment.learner_id.in_(ids))
    ).all()
    if not rows:
        return 0
    today = as_of or utcnow().date()
    catalog = catalog or catalogue_from_database()
    records = dict(records or {})
    start = start_term(today)
    now = utcnow()
    broken: list[StudyPlan] = []
    for saved, enrolment, code, version in rows:
        program = catalog.programs.get((code, version))
        record = records.get(enrolment.learner_id)
        if record is None:
            record = records[enrolment.learner_id] = learner_record(enrolment.learner, today)
        if program is None:
            problems = [Problem("incomplete")]
        else:
            slots = planner_slots(program_units(program), start[0])
            problems = check_plan(
                saved.schedule, program, catalog.units, catalog.equivalences, record, slots, start, today
            )
        was_working = saved.works
        saved.works = not problems
        saved.problems = problems_json(problems)
        saved.checked_at = now
        if was_working and problems:
            broken.append(saved)
    db.session.flush()
    if broken:
        users = {
            enrolment_id: user
            for enrolment_id, user in db.session.execute(
                sa.select(Enrolment.id, User)
                .join(Learner, Enrolment.learner_id == Learner.id)
                .join(User, Learner.user_id == User.id)
                .where(Enrolment.id.in_([saved.enrolment_id for saved in broken]))
            )
        }
        for saved in broken:
            notify_users(
                [users[saved.enrolment_id]],
                "plan_broken",
                _l("Your study plan no longer works"),
                _l(
                    "A change in your results or in the offerings means your saved study plan no longer "
                    "completes your programme. Open it to see why and make a new one."
                ),
            )
    return len(broken)


def notify_users(users, kind: str, title, body) -> int:
    from lms.notifications.services import notify

    return notify(users, kind, title, body, link=_link())


def lms_progress_refreshed(records: dict[int, Any], catalog: Any, as_of: Any, bulk: bool) -> None:
    """Learners were re-audited: re-check their saved plans (few learners have one, so this stays
    cheap on a bulk re-audit too: one query finds them)."""
    recheck_plans(records.keys(), catalog, as_of, records)


# --- registration windows ------------------------------------------------------------------------------


def notify_opening_windows(today: date | None = None) -> int:
    """Tell learners whose saved plan holds an offering whose registration window is open on
    ``today`` (opened today or since the last run, not closed yet). Each (unit, offering) of a plan
    is announced once (remembered in the schedule entry: ``announced``); units the learner is
    already registered for are skipped. Returns how many notices were sent."""
    today = today or utcnow().date()
    plans = db.session.execute(
        sa.select(StudyPlan, Enrolment.learner_id).join(Enrolment, StudyPlan.enrolment_id == Enrolment.id)
    ).all()
    if not plans:
        return 0
    open_rows = db.session.execute(
        sa.select(
            Offering.id,
            Unit.code,
            Unit.title,
            Offering.academic_year,
            Offering.semester,
            Offering.modality,
            Centre.code,
            Offering.registration_closes_on,
        )
        .join(Unit, Offering.unit_id == Unit.id)
        .join(Centre, Offering.centre_id == Centre.id)
        .where(
            Offering.registration_opens_on.is_not(None),
            Offering.registration_opens_on <= today,
            sa.or_(Offering.registration_closes_on.is_(None), Offering.registration_closes_on >= today),
        )
    ).all()
    by_id = {row[0]: row for row in open_rows}
    by_key = {(row[1], row[3], row[4].value, row[5].value, row[6]): row for row in open_rows}
    learner_ids = sorted({learner_id for _, learner_id in plans})
    registered = set(
        db.session.execute(
            sa.select(Registration.learner_id, Registration.offering_id).where(
                Registration.learner_id.in_(learner_ids), Registration.status != RegistrationStatus.WITHDRAWN
            )
        ).all()
    )
    users = dict(
        db.session.execute(
            sa.select(Learner.id, User).join(User, Learner.user_id == User.id).where(Learner.id.in_(learner_ids))
        ).all()
    )
    sent = 0
    for saved, learner_id in plans:
        schedule = [dict(term, units=[dict(entry) for entry in term.get("units", ())]) for term in saved.schedule]
        announce = []
        for term in schedule:
            for entry in term["units"]:
                if entry.get("activity") or entry.get("announced"):
                    continue
                row = by_id.get(entry.get("offering_id")) if entry.get("offering_id") else None
                if row is None:
                    row = by_key.get(
                        (
                            entry["code"],
                            entry.get("year", term["year"]),
                            entry.get("semester") or term["semester"],
                            entry.get("modality"),
                            entry.get("centre"),
                        )
                    )
                if row is None or (learner_id, row[0]) in registered:
                    continue
                entry["announced"] = row[0]
                announce.append(row)
        if not announce:
            continue
        saved.schedule = schedule
        codes = ", ".join(row[1] for row in announce)
        closes = min((row[7] for row in announce if row[7] is not None), default=None)
        body = (
            _l(
                "Registration is open for %(codes)s, planned in your study plan. It closes on %(day)s.",
                codes=codes,
                day=closes.isoformat(),
            )
            if closes
            else _l("Registration is open for %(codes)s, planned in your study plan.", codes=codes)
        )
        sent += notify_users(
            [users[learner_id]], "plan_registration_open", _l("Registration is open for units of your plan"), body
        )
    db.session.flush()
    return sent


@click.command("notify-windows")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to check (default: today).")
@with_appcontext
def notify_windows_command(today: datetime | None) -> None:
    """Tell learners when registration opens for a unit of their saved study plan (run daily)."""
    sent = notify_opening_windows(today.date() if today else None)
    db.session.commit()
    click.echo(f"{sent} learners notified.")
