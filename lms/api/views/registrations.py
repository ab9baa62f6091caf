"""A learner's registrations: read them (the learner themselves, the directors of their
programmes and administrators, as the record pages), register for an offering and withdraw (the
learner themselves only, as on the catalogue page: the same services, rules and messages).

A refusal of the registration services (window not open or closed, already registered, the same
unit in another offering of the year, the unit validated already, a published result) is a 409
problem with the page's message; an offering that does not exist is a 422 on its field."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_openapi3 import Tag

from lms.accounts.models import Learner, Role
from lms.accounts.queries import learner_by_number
from lms.api.schemas.common import PageInfo, Problem
from lms.api.schemas.registrations import (
    LearnerNumberPath,
    RegistrationDone,
    RegistrationIn,
    RegistrationList,
    RegistrationOut,
    RegistrationPath,
    RegistrationQuery,
)
from lms.api.views import bp
from lms.catalog.directors import may_see_learner
from lms.core.access import deny_unless, login_required, roles_required
from lms.core.i18n import gettext as _
from lms.core.problems import problem
from lms.extensions import db
from lms.timetable.models import Offering, RegistrationStatus
from lms.timetable.queries import learner_meetings
from lms.timetable.services import registrations

TAG = Tag(name="registrations", description="A learner's registrations: read, register, withdraw.")


def _learner(number: str, *, own: bool) -> Learner:
    """The learner numbered ``number``: 404 unless the caller may see them; with ``own``, 403
    unless they are the caller (staff may read a learner's registrations, not act for them)."""
    learner = learner_by_number(number)
    if learner is None:
        abort(404)
    mine = learner.user_id == current_user.id
    if not mine and not may_see_learner(current_user, learner):
        abort(404)
    if own:
        deny_unless(mine)
    return learner


def _out(line, learner: Learner, model=RegistrationOut, **extra):
    registration, offering = line.registration, line.offering
    return model(
        id=registration.id,
        learner_number=learner.learner_number,
        offering_id=offering.id,
        unit=line.unit.code,
        title=line.unit.title,
        academic_year=offering.academic_year,
        semester=offering.semester.value,
        modality=offering.modality.value,
        centre=line.centre.name,
        status=registration.status.value,
        status_changed_at=registration.status_changed_at,
        **extra,
    ).model_dump(mode="json")


@bp.get(
    "/learners/<number>/registrations",
    tags=[TAG],
    responses={200: RegistrationList, 404: Problem},
    summary="The learner's registrations, latest academic year first",
)
@login_required
def registrations_list(path: LearnerNumberPath, query: RegistrationQuery):
    learner = _learner(path.number, own=False)
    status = RegistrationStatus(query.status) if query.status else None
    page = learner_meetings.learner_registrations(learner.id, query.page, query.limit, status)
    return RegistrationList(
        items=[_out(line, learner) for line in page.rows],
        total=page.total,
        page=PageInfo(page=page.page, limit=page.per_page, has_next=page.has_next),
    ).model_dump(mode="json")


@bp.post(
    "/learners/<number>/registrations",
    tags=[TAG],
    responses={201: RegistrationDone, 404: Problem, 409: Problem, 422: Problem},
    summary="Register for an offering (or join its waiting list when it is full)",
)
@roles_required(Role.LEARNER)
def registration_create(path: LearnerNumberPath, body: RegistrationIn):
    learner = _learner(path.number, own=True)
    offering = db.session.get(Offering, body.offering_id)
    if offering is None:
        message = _("No offering has this number.")
        return problem(422, message, _("Invalid data"), errors=[{"field": "offering_id", "message": message}])
    row = registrations.register(learner, offering)  # a refusal answers 409 with its message
    if row.status is RegistrationStatus.WAITLISTED:
        message = _(
            "%(code)s is full: you are on its waiting list. You will be told when a place is yours.",
            code=offering.unit.code,
        )
    else:
        message = _("You are registered for %(code)s.", code=offering.unit.code)
    line = learner_meetings.registration_line(learner.id, row.id)
    return _out(line, learner, RegistrationDone, message=message), 201


@bp.post(
    "/learners/<number>/registrations/<int:registration_id>/withdrawal",
    tags=[TAG],
    responses={200: RegistrationDone, 404: Problem, 409: Problem},
    summary="Withdraw (or leave the waiting list): a freed place goes to the waiting list at once",
)
@roles_required(Role.LEARNER)
def registration_withdraw(path: RegistrationPath):
    learner = _learner(path.number, own=True)
    line = learner_meetings.registration_line(learner.id, path.registration_id)
    if line is None:
        abort(404)
    registrations.withdraw(line.registration)  # a refusal answers 409 with its message
    message = _("You have withdrawn from %(code)s.", code=line.unit.code)
    return _out(line, learner, RegistrationDone, message=message)
