"""Awards, as the awards pages allow: a learner their own, a director those of the programmes they
direct, an administrator every one (another's award is 404); and the public verification of any
document lms issues by its code, exactly what the public ``/verify/<code>`` page shows."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_openapi3 import Tag

from lms.api.schemas.awards import AwardList, AwardOut, AwardPath, AwardQuery, CodePath, Verification
from lms.api.schemas.common import PageInfo, Problem
from lms.api.views import bp
from lms.awards import certificates, queries, services
from lms.awards.models import Award
from lms.core import verification
from lms.core.access import login_required, public
from lms.extensions import db

TAG = Tag(name="awards", description="Awards (certificates) and the public verification of documents.")


def _award(award: Award, name: str, number: str, version: str, title: str, programme: str) -> dict:
    return AwardOut(
        id=award.id,
        certificate_number=award.certificate_number,
        programme=programme,
        version=version,
        title=title,
        learner_number=number,
        name=name,
        decided_on=award.decided_on,
        jury=award.jury,
        mention=award.mention,
        ects=float(award.ects),
        verification_url=certificates.verification_url(award),
        revoked_at=award.revoked_at,
        revoke_reason=award.revoke_reason,
    ).model_dump(mode="json")


@bp.get(
    "/awards",
    tags=[TAG],
    responses={200: AwardList},
    summary="The awards the caller may see (their own; their programmes' for directors), newest first",
)
@login_required
def awards(query: AwardQuery):
    found = queries.visible_awards(current_user, query.page, query.limit, query.programme or None)
    return AwardList(
        items=[_award(*row) for row in found.rows],
        page=PageInfo(page=found.page, limit=query.limit, has_next=found.has_next),
    ).model_dump(mode="json")


@bp.get(
    "/awards/<int:award_id>",
    tags=[TAG],
    responses={200: AwardOut, 404: Problem},
    summary="One award the caller may see",
)
@login_required
def award(path: AwardPath):
    found = db.session.get(Award, path.award_id)
    if found is None or not services.may_see(current_user, found):
        abort(404)
    enrolment = found.enrolment
    version = enrolment.programme_version
    learner = enrolment.learner
    return _award(
        found, learner.user.name, learner.learner_number, version.version, version.title, version.programme.code
    )


@bp.get(
    "/verify/<code>",
    tags=[TAG],
    responses={200: Verification, 404: Problem},
    security=[],
    summary="Verify a certificate or transcript by its code (public)",
)
@public
def verify(path: CodePath):
    document = verification.lookup(path.code)
    described = verification.describe(document) if document is not None else None
    if described is None:
        abort(404)
    answer = Verification(
        title=described.title,
        holder=described.holder,
        facts=[{"label": str(label), "value": str(value)} for label, value in described.facts],
        valid=described.valid,
        issued_on=document.issued_at.date(),
        revoked_on=described.revoked_on.date() if described.revoked_on else None,
    ).model_dump(mode="json")
    return answer, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
