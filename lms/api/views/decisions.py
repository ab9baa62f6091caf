"""Directors' decisions on a learner, as on the staff record page (``/learners/<number>``): credits
(VES, VAE, exemption, transfer), substitutions and UA decisions: list them, decide, revoke. The
same services, rules and messages (``lms.results.decisions``): administrators for every learner, a
director for the learners and programmes they direct; a learner the caller may not see is 404.
Revoking keeps the decision on the record. Each write re-audits the learner in the request's
transaction; a refusal writes nothing."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import abort, jsonify
from flask_login import current_user
from flask_openapi3 import Tag

from lms.accounts.models import Learner, Role
from lms.accounts.queries import learner_by_number
from lms.api.schemas.common import PageInfo, PageQuery, Problem
from lms.api.schemas.decisions import (
    CreditIn,
    CreditList,
    CreditOut,
    DecisionPath,
    Revocation,
    SubstitutionIn,
    SubstitutionList,
    SubstitutionOut,
    UaDecisionIn,
    UaDecisionList,
    UaDecisionOut,
)
from lms.api.schemas.progress import LearnerPath
from lms.api.views import bp
from lms.catalog.directors import may_see_learner
from lms.catalog.models import Programme
from lms.core.access import roles_required
from lms.core.i18n import gettext as _
from lms.core.paging import page_of
from lms.extensions import db
from lms.progress import queries
from lms.results import decisions
from lms.results.models import ActivityDecision, Credit, CreditSource, Decision, Substitution
from lms.results.services.values import parse_grade

TAG = Tag(name="decisions", description="Directors' decisions on a learner: credits, substitutions, UA decisions.")

STAFF = (Role.DIRECTOR, Role.ADMIN)
WRITTEN = {404: Problem, 422: Problem}
REVOKED = {404: Problem, 422: Problem}


def _learner(number: str) -> Learner:
    """The learner of the record if the caller may see it (404 otherwise: who exists is not told)."""
    learner = learner_by_number(number)
    if learner is None or not may_see_learner(current_user, learner):
        abort(404)
    return learner


def _programme(learner: Learner, code: str | None, field: str) -> Programme | None:
    """One of the learner's programmes, as the page's choice lists offer them."""
    code = (code or "").strip().upper()
    if not code:
        return None
    if code not in queries.learner_programme_codes(learner):
        raise decisions.DecisionError(_("%(code)s is not a programme of this learner.", code=code), field=field)
    return db.session.scalar(sa.select(Programme).where(Programme.code == code))


def _page(items: list, query: PageQuery) -> dict:
    found = page_of(items, query.page, query.limit)
    return {"items": list(found.rows), "page": PageInfo(page=found.page, limit=query.limit, has_next=found.has_next)}


def _dump(model) -> dict:
    return model.model_dump(mode="json")


def _created(item: dict):
    return jsonify(item), 201


# --- credits ---------------------------------------------------------------------------------------


def _credits(learner: Learner) -> list[dict]:
    return [
        _dump(
            CreditOut(
                id=credit.id,
                unit=unit,
                source=credit.source.value,
                programme=programme,
                granted_on=credit.granted_on,
                reason=credit.reason,
                decided_by=decided_by,
                revoked_at=credit.revoked_at,
                revoked_by=revoked_by,
                revoke_reason=credit.revoke_reason,
            )
        )
        for credit, unit, programme, decided_by, revoked_by in queries.credit_decisions(learner)
    ]


def _one(items: list[dict], ident: int) -> dict:
    return next(item for item in items if item["id"] == ident)


@bp.get(
    "/learners/<number>/credits",
    tags=[TAG],
    responses={200: CreditList, 404: Problem},
    summary="A learner's credits, revoked ones included, newest first",
)
@roles_required(*STAFF)
def credits(path: LearnerPath, query: PageQuery):
    return CreditList(**_page(_credits(_learner(path.number)), query)).model_dump(mode="json")


@bp.post(
    "/learners/<number>/credits",
    tags=[TAG],
    responses={**WRITTEN, 201: CreditOut},
    summary="Grant a credit (VES for one programme, VAE, exemption, transfer)",
)
@roles_required(*STAFF)
def grant_credit(path: LearnerPath, body: CreditIn):
    learner = _learner(path.number)
    unit = decisions.unit_named(body.unit)
    programme = _programme(learner, body.programme, "programme")
    credit = decisions.grant_credit(
        current_user, learner, unit, CreditSource(body.source), body.granted_on, body.reason, programme
    )
    db.session.flush()
    return _created(_one(_credits(learner), credit.id))


@bp.post(
    "/learners/<number>/credits/<int:decision_id>/revocation",
    tags=[TAG],
    responses={200: CreditOut, **REVOKED},
    summary="Revoke a credit (it stays on the record)",
)
@roles_required(*STAFF)
def revoke_credit(path: DecisionPath, body: Revocation):
    learner = _learner(path.number)
    credit = _row(Credit, learner, path.decision_id)
    decisions.revoke_credit(current_user, credit, body.reason)
    db.session.flush()
    return _one(_credits(learner), credit.id)


def _row(model, learner: Learner, ident: int):
    row = db.session.get(model, ident)
    if row is None or row.learner_id != learner.id:
        abort(404)
    return row


# --- substitutions ---------------------------------------------------------------------------------


def _substitutions(learner: Learner) -> list[dict]:
    return [
        _dump(
            SubstitutionOut(
                id=row.id,
                programme=programme,
                substitute=substitute,
                replaced=replaced,
                counted_ects=None if row.counted_ects is None else float(row.counted_ects),
                substitute_registered=row.substitute_registered,
                decided_on=row.decided_on,
                reason=row.reason,
                decided_by=decided_by,
                revoked_at=row.revoked_at,
                revoke_reason=row.revoke_reason,
            )
        )
        for row, programme, substitute, replaced, decided_by in queries.substitution_decisions(learner)
    ]


@bp.get(
    "/learners/<number>/substitutions",
    tags=[TAG],
    responses={200: SubstitutionList, 404: Problem},
    summary="A learner's substitutions, revoked ones included, newest first",
)
@roles_required(*STAFF)
def substitutions(path: LearnerPath, query: PageQuery):
    return SubstitutionList(**_page(_substitutions(_learner(path.number)), query)).model_dump(mode="json")


@bp.post(
    "/learners/<number>/substitutions",
    tags=[TAG],
    responses={**WRITTEN, 201: SubstitutionOut},
    summary="A unit the learner holds stands for a unit or free slot of one of their programmes",
)
@roles_required(*STAFF)
def add_substitution(path: LearnerPath, body: SubstitutionIn):
    learner = _learner(path.number)
    programme = _programme(learner, body.programme, "programme")
    if programme is None:
        raise decisions.DecisionError(_("Choose the programme."), field="programme")
    substitute = decisions.unit_named(body.substitute, "substitute")
    replaced = decisions.replaced_named(body.replaced, programme)
    counted = None if body.counted_ects is None else Decimal(str(body.counted_ects))
    row = decisions.add_substitution(
        current_user, learner, programme, substitute, replaced, body.reason, body.decided_on, counted_ects=counted
    )
    db.session.flush()
    return _created(_one(_substitutions(learner), row.id))


@bp.post(
    "/learners/<number>/substitutions/<int:decision_id>/revocation",
    tags=[TAG],
    responses={200: SubstitutionOut, **REVOKED},
    summary="Revoke a substitution (it stays on the record)",
)
@roles_required(*STAFF)
def revoke_substitution(path: DecisionPath, body: Revocation):
    learner = _learner(path.number)
    row = _row(Substitution, learner, path.decision_id)
    decisions.revoke_substitution(current_user, row, body.reason)
    db.session.flush()
    return _one(_substitutions(learner), row.id)


# --- UA decisions ----------------------------------------------------------------------------------


def _ua_decisions(learner: Learner) -> list[dict]:
    return [
        _dump(
            UaDecisionOut(
                id=row.id,
                unit=unit,
                title=title,
                decision=row.decision.value,
                grade=None if row.grade is None else str(Decimal(row.grade).quantize(Decimal("0.01"))),
                decided_on=row.decided_on,
                evidence=row.evidence,
                decided_by=decided_by,
                revoked_at=row.revoked_at,
                revoked_by=revoked_by,
                revoke_reason=row.revoke_reason,
            )
        )
        for row, unit, title, decided_by, revoked_by in queries.activity_decisions(learner)
    ]


@bp.get(
    "/learners/<number>/ua-decisions",
    tags=[TAG],
    responses={200: UaDecisionList, 404: Problem},
    summary="A learner's UA decisions (experience, mémoire...), revoked ones included, newest first",
)
@roles_required(*STAFF)
def ua_decisions(path: LearnerPath, query: PageQuery):
    return UaDecisionList(**_page(_ua_decisions(_learner(path.number)), query)).model_dump(mode="json")


@bp.post(
    "/learners/<number>/ua-decisions",
    tags=[TAG],
    responses={**WRITTEN, 201: UaDecisionOut},
    summary="Validate (or not) a UA on evidence; the learner is told",
)
@roles_required(*STAFF)
def decide_ua(path: LearnerPath, body: UaDecisionIn):
    learner = _learner(path.number)
    unit = decisions.unit_named(body.unit)
    grade = None if body.grade is None else parse_grade(str(body.grade))
    row = decisions.decide_activity(
        current_user, learner, unit, Decision(body.decision), body.decided_on, body.evidence, grade
    )
    db.session.flush()
    return _created(_one(_ua_decisions(learner), row.id))


@bp.post(
    "/learners/<number>/ua-decisions/<int:decision_id>/revocation",
    tags=[TAG],
    responses={200: UaDecisionOut, **REVOKED},
    summary="Revoke a UA decision (it stays on the record)",
)
@roles_required(*STAFF)
def revoke_ua_decision(path: DecisionPath, body: Revocation):
    learner = _learner(path.number)
    row = _row(ActivityDecision, learner, path.decision_id)
    decisions.revoke_activity_decision(current_user, row, body.reason)
    db.session.flush()
    return _one(_ua_decisions(learner), row.id)
