"""A learner's audits (formats.md section 3) and closest credentials: the learner themselves,
the directors of their programmes and administrators, as the record pages."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_openapi3 import Tag

from lms.accounts.models import Learner
from lms.accounts.queries import learner_by_number
from lms.api.schemas.common import Problem
from lms.api.schemas.progress import Audit, AuditList, AuditQuery, LearnerPath, LearnerProgrammePath, Ranking
from lms.api.views import bp
from lms.catalog.directors import may_see_learner
from lms.core.access import login_required
from lms.core.time import utcnow
from lms.progress.audits import learner_audit, learner_audits, learner_ranking

TAG = Tag(name="progress", description="Learners' audits and closest credentials.")


def visible_learner(number: str) -> Learner:
    """The learner numbered ``number`` if the caller may see them; 404 otherwise, so a caller
    cannot tell who exists."""
    learner = learner_by_number(number)
    if learner is None:
        abort(404)
    if learner.user_id != current_user.id and not may_see_learner(current_user, learner):
        abort(404)
    return learner


@bp.get(
    "/learners/<number>/audits",
    tags=[TAG],
    responses={200: AuditList, 404: Problem},
    summary="Audits of every programme the learner is enrolled on",
)
@login_required
def audits(path: LearnerPath):
    learner = visible_learner(path.number)
    return {"items": learner_audits(learner, utcnow().date())}


@bp.get(
    "/learners/<number>/audits/<code>",
    tags=[TAG],
    responses={200: Audit, 404: Problem},
    summary="The learner's audit on one programme (what-if on any programme)",
)
@login_required
def audit(path: LearnerProgrammePath, query: AuditQuery):
    learner = visible_learner(path.number)
    result = learner_audit(learner, path.code, query.version, utcnow().date())
    if result is None:
        abort(404)
    return result


@bp.get(
    "/learners/<number>/ranking",
    tags=[TAG],
    responses={200: Ranking, 404: Problem},
    summary="Every programme by what is still missing (lms rank)",
)
@login_required
def rank(path: LearnerPath):
    learner = visible_learner(path.number)
    return learner_ranking(learner, utcnow().date())
