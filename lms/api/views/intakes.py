"""Intakes and applications for reviewers, as the review pages (``/admin/intakes``): the intakes a
user reviews (every one for administrators, those of their programmes for directors), an intake's
applications (drafts are the candidates' own business and are left out), one application, and the
reviewers' decisions with the same transitions, rules and messages (``lms.intakes.services``).
An intake or application the caller does not review is 404."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_openapi3 import Tag

from lms.accounts.models import Role
from lms.api.schemas.common import PageInfo, Problem
from lms.api.schemas.intakes import (
    ApplicationList,
    ApplicationOut,
    ApplicationPath,
    ApplicationQuery,
    DecisionIn,
    IntakeList,
    IntakeOut,
    IntakePath,
    IntakeQuery,
)
from lms.api.views import bp
from lms.core.access import roles_required
from lms.core.paging import page_of
from lms.core.time import utcnow
from lms.intakes import queries
from lms.intakes.models import Application, ApplicationStatus, Intake
from lms.intakes.services import applications as services

TAG = Tag(name="intakes", description="Intakes and applications; reviewers' decisions.")

REVIEWERS = (Role.ADMIN, Role.DIRECTOR)


def _intake_out(intake: Intake, counts: dict) -> dict:
    version = intake.programme_version
    return IntakeOut(
        id=intake.id,
        programme=version.programme.code,
        version=version.version,
        title=version.title,
        academic_year=intake.academic_year,
        centre=intake.centre.code,
        modality=intake.modality.value,
        capacity=intake.capacity,
        applications_open_on=intake.applications_open_on,
        applications_close_on=intake.applications_close_on,
        starts_on=intake.starts_on,
        counts={status.value: count for status, count in counts.items()},
    ).model_dump(mode="json")


def _application_out(application: Application, candidate, flagged: bool, documents: int) -> dict:
    return ApplicationOut(
        id=application.id,
        intake_id=application.intake_id,
        candidate=candidate.name,
        email=candidate.email,
        status=application.status.value,
        prior_level=application.prior_level,
        diplomas=application.diplomas,
        current_job=application.current_job,
        years_experience=application.years_experience,
        funding=application.funding.value if application.funding else None,
        vapp_requested=application.vapp_requested,
        flagged=flagged,
        documents=documents,
        submitted_at=application.submitted_at,
        decided_at=application.decided_at,
        decision_reason=application.decision_reason,
    ).model_dump(mode="json")


def _reviewed_intake(intake_id: int) -> Intake:
    intake = queries.get_intake(intake_id)
    if intake is None or not services.may_review(current_user, intake):
        abort(404)
    return intake


def _reviewed_application(application_id: int) -> Application:
    application = queries.get_application(application_id)
    if (
        application is None
        or application.status is ApplicationStatus.DRAFT  # the candidate's own business until submitted
        or not services.may_review(current_user, application.intake)
    ):
        abort(404)
    return application


def _one(application: Application) -> dict:
    return _application_out(
        application, application.candidate, services.is_flagged(application), len(application.documents)
    )


@bp.get(
    "/intakes",
    tags=[TAG],
    responses={200: IntakeList},
    summary="The intakes the caller reviews, newest year first, with their counts",
)
@roles_required(*REVIEWERS)
def intakes(query: IntakeQuery):
    found = queries.reviewable_intakes(current_user, query.page, query.limit, query.year)
    return IntakeList(
        items=[_intake_out(line.intake, line.counts) for line in found.rows],
        page=PageInfo(page=found.page, limit=query.limit, has_next=found.has_next),
    ).model_dump(mode="json")


@bp.get(
    "/intakes/<int:intake_id>",
    tags=[TAG],
    responses={200: IntakeOut, 404: Problem},
    summary="One intake the caller reviews",
)
@roles_required(*REVIEWERS)
def intake(path: IntakePath):
    found = _reviewed_intake(path.intake_id)
    return _intake_out(found, queries.status_counts([found.id])[found.id])


@bp.get(
    "/intakes/<int:intake_id>/applications",
    tags=[TAG],
    responses={200: ApplicationList, 404: Problem},
    summary="An intake's applications (no drafts), oldest submission first",
)
@roles_required(*REVIEWERS)
def applications(path: IntakePath, query: ApplicationQuery):
    found = _reviewed_intake(path.intake_id)
    status = ApplicationStatus(query.status) if query.status else None
    lines = page_of(queries.review_queue(found, status, query.flagged), query.page, query.limit)
    return ApplicationList(
        items=[_application_out(line.application, line.candidate, line.flagged, line.documents) for line in lines.rows],
        page=PageInfo(page=lines.page, limit=query.limit, has_next=lines.has_next),
        places_left=services.places_left(found),
    ).model_dump(mode="json")


@bp.get(
    "/applications/<int:application_id>",
    tags=[TAG],
    responses={200: ApplicationOut, 404: Problem},
    summary="One application the caller reviews",
)
@roles_required(*REVIEWERS)
def application(path: ApplicationPath):
    return _one(_reviewed_application(path.application_id))


@bp.post(
    "/applications/<int:application_id>/decision",
    tags=[TAG],
    responses={200: ApplicationOut, 404: Problem, 409: Problem, 422: Problem},
    summary="Accept (the candidate is enrolled), waitlist or reject an application",
)
@roles_required(*REVIEWERS)
def decide(path: ApplicationPath, body: DecisionIn):
    found = _reviewed_application(path.application_id)
    services.decide(current_user, [found], services.Decision(body.decision), body.reason, utcnow().date())
    return _one(found)
