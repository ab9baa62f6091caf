"""A learner registering for an offering, withdrawing, and the waiting list (flush, never commit).

Capacity is enforced under a write lock on the offering row, taken with a no-op UPDATE before
counting: on PostgreSQL the row stays locked until the transaction ends; on SQLite the UPDATE
opens the write transaction (WAL serialises writers, the busy timeout makes the other wait). So two
learners taking the last place at the same time cannot both get it.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_date

from lms.accounts.models import Learner
from lms.catalog.models import Unit
from lms.core.errors import Refusal
from lms.core.i18n import lazy_gettext as _l
from lms.core.time import utcnow
from lms.extensions import db
from lms.results.models import ActivityDecision, Credit, Decision, Result, ResultStatus
from lms.timetable.models import Offering, Registration, RegistrationStatus

PASS_MARK = Decimal(10)


class RegistrationError(Refusal):
    """A registration or withdrawal refused (409: the state of things forbids it)."""

    status = 409


class WindowNotOpen(RegistrationError):
    pass


class WindowClosed(RegistrationError):
    pass


class AlreadyRegistered(RegistrationError):
    pass


class UnitAlreadyTaken(RegistrationError):
    """Another offering of the same unit in the same academic year, not withdrawn."""


class UnitAlreadyValidated(RegistrationError):
    pass


class NotRegistered(RegistrationError):
    pass


class WindowState(enum.StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


def window_state(opens_on: date | None, closes_on: date | None, today: date) -> WindowState:
    """Where ``today`` falls in a registration window (both days included; a missing bound is open)."""
    if opens_on is not None and today < opens_on:
        return WindowState.NOT_YET
    if closes_on is not None and today > closes_on:
        return WindowState.CLOSED
    return WindowState.OPEN


def check_window(offering: Offering, today: date) -> None:
    state = window_state(offering.registration_opens_on, offering.registration_closes_on, today)
    if state is WindowState.NOT_YET:
        raise WindowNotOpen(
            _l(
                "Registration for %(code)s opens on %(day)s.",
                code=offering.unit.code,
                day=format_date(offering.registration_opens_on, "long"),
            )
        )
    if state is WindowState.CLOSED:
        raise WindowClosed(
            _l(
                "Registration for %(code)s closed on %(day)s.",
                code=offering.unit.code,
                day=format_date(offering.registration_closes_on, "long"),
            )
        )


def lock_offering(offering: Offering) -> None:
    """Take the write lock on the offering's row (see the module's docstring)."""
    db.session.execute(
        sa.update(Offering)
        .where(Offering.id == offering.id)
        .values(capacity=Offering.capacity)
        .execution_options(synchronize_session=False)
    )


def registered_count(offering_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Registration.id)).where(
                Registration.offering_id == offering_id, Registration.status == RegistrationStatus.REGISTERED
            )
        )
        or 0
    )


def validated_units(learner_id: int, unit_ids: list[int]) -> set[int]:
    """Which of ``unit_ids`` the learner has validated: a published passing result, a UA decision
    or a credit, not revoked (one statement)."""
    if not unit_ids:
        return set()
    passing = (
        sa.select(Offering.unit_id.label("unit_id"))
        .join(Registration, Registration.offering_id == Offering.id)
        .join(Result, Result.registration_id == Registration.id)
        .where(
            Registration.learner_id == learner_id,
            Offering.unit_id.in_(unit_ids),
            Result.status == ResultStatus.PUBLISHED,
            sa.or_(
                Result.decision == Decision.VALIDATED,
                sa.and_(Result.decision.is_(None), Result.absent.is_(False), Result.grade >= PASS_MARK),
            ),
        )
    )
    decided = sa.select(ActivityDecision.unit_id).where(
        ActivityDecision.learner_id == learner_id,
        ActivityDecision.unit_id.in_(unit_ids),
        ActivityDecision.decision == Decision.VALIDATED,
        ActivityDecision.revoked_at.is_(None),
    )
    credited = sa.select(Credit.unit_id).where(
        Credit.learner_id == learner_id, Credit.unit_id.in_(unit_ids), Credit.revoked_at.is_(None)
    )
    return set(db.session.scalars(sa.union(passing, decided, credited)))


def unit_validated(learner_id: int, unit_id: int) -> bool:
    return unit_id in validated_units(learner_id, [unit_id])


def _same_unit_elsewhere(learner_id: int, offering: Offering) -> Offering | None:
    return db.session.scalar(
        sa.select(Offering)
        .join(Registration, Registration.offering_id == Offering.id)
        .where(
            Registration.learner_id == learner_id,
            Registration.status != RegistrationStatus.WITHDRAWN,
            Offering.unit_id == offering.unit_id,
            Offering.academic_year == offering.academic_year,
            Offering.id != offering.id,
        )
        .limit(1)
    )


def _existing(learner_id: int, offering_id: int) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(Registration.learner_id == learner_id, Registration.offering_id == offering_id)
    )


def register(learner: Learner, offering: Offering, today: date | None = None) -> Registration:
    """Register ``learner`` for ``offering``, or put them on its waiting list when it is full.

    Raises a :class:`RegistrationError` (window not open or closed, already registered, the same
    unit taken in another offering of the year, the unit already validated)."""
    today = today or utcnow().date()
    check_window(offering, today)
    if unit_validated(learner.id, offering.unit_id):
        raise UnitAlreadyValidated(
            _l("You have already validated %(code)s: there is no need to take it again.", code=offering.unit.code)
        )
    lock_offering(offering)
    row = _existing(learner.id, offering.id)
    if row is not None and row.status is RegistrationStatus.REGISTERED:
        raise AlreadyRegistered(_l("You are already registered for %(code)s.", code=offering.unit.code))
    if row is not None and row.status is RegistrationStatus.WAITLISTED:
        raise AlreadyRegistered(_l("You are already on the waiting list of %(code)s.", code=offering.unit.code))
    other = _same_unit_elsewhere(learner.id, offering)
    if other is not None:
        raise UnitAlreadyTaken(
            _l(
                "You are already registered for %(code)s this academic year (%(semester)s, %(centre)s): "
                "withdraw from it first to change offering.",
                code=offering.unit.code,
                semester=other.semester.value,
                centre=other.centre.name,
            )
        )
    full = offering.capacity is not None and registered_count(offering.id) >= offering.capacity
    status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
    if row is None:
        row = Registration(learner_id=learner.id, offering_id=offering.id)
        db.session.add(row)
    row.status = status
    row.status_changed_at = utcnow()
    db.session.flush()
    return row


def withdraw(registration: Registration, today: date | None = None) -> list[Registration]:
    """Withdraw a registration (or leave the waiting list). A freed place goes to the oldest
    waitlisted learner at once; returns the registrations promoted."""
    if registration.status is RegistrationStatus.WITHDRAWN:
        raise NotRegistered(_l("This registration was already withdrawn."))
    has_published = db.session.scalar(
        sa.select(
            sa.select(Result.id)
            .where(Result.registration_id == registration.id, Result.status == ResultStatus.PUBLISHED)
            .exists()
        )
    )
    if has_published:
        raise RegistrationError(
            _l("A result is already published for this registration: it can no longer be withdrawn.")
        )
    offering = registration.offering
    lock_offering(offering)
    freed = registration.status is RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.WITHDRAWN
    registration.status_changed_at = utcnow()
    db.session.flush()
    return promote_from_waitlist(offering) if freed else []


def promote_from_waitlist(offering: Offering) -> list[Registration]:
    """Fill the free places of ``offering`` from its waiting list, oldest first, and tell each
    promoted learner. Called after a withdrawal and after capacity is raised."""
    from lms.notifications.services import notify

    lock_offering(offering)
    query = (
        sa.select(Registration)
        .where(Registration.offering_id == offering.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.status_changed_at.asc().nulls_first(), Registration.id)
    )
    if offering.capacity is not None:
        free = offering.capacity - registered_count(offering.id)
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    now = utcnow()
    for row in promoted:
        row.status = RegistrationStatus.REGISTERED
        row.status_changed_at = now
    db.session.flush()
    unit = db.session.get(Unit, offering.unit_id)
    link = _timetable_link()
    for row in promoted:
        notify(
            [row.learner.user],
            "waitlist_promoted",
            _l("A place is yours in %(code)s", code=unit.code),
            _l("A place was freed in %(title)s: you are now registered.", title=unit.title),
            link=link,
        )
    return promoted


def _timetable_link() -> str | None:
    from flask import has_request_context, url_for

    return url_for("timetable_learner.timetable") if has_request_context() else None
