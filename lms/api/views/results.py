"""An offering's grade sheet: read it, save drafts, publish. The page's rules and messages, with
HTTP's optimistic locking: the sheet's ``ETag`` comes with each read, writes need ``If-Match``
(428 without it, 412 when the sheet changed since), and a row whose result changed meanwhile is
refused with 409 (each row may carry the ``version`` it read, as the page's rows do)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from flask import abort, jsonify, request
from flask_login import current_user
from flask_openapi3 import Tag

from lms.accounts.models import Role
from lms.api.schemas.common import Problem
from lms.api.schemas.results import (
    PublicationIn,
    PublicationOut,
    ResultOut,
    SheetIn,
    SheetOut,
    SheetPath,
    SheetRowOut,
    SheetSaved,
)
from lms.api.views import bp
from lms.core.access import deny_unless, roles_required
from lms.core.i18n import gettext as _
from lms.core.problems import problem
from lms.extensions import db
from lms.results import queries, services
from lms.results.services.values import RowInput
from lms.timetable.models import Offering

TAG = Tag(name="results", description="Grade sheets: read, save drafts, publish.")

STAFF = (Role.TUTOR, Role.DIRECTOR, Role.ADMIN)


def _offering(offering_id: int) -> Offering:
    offering = db.session.get(Offering, offering_id)
    if offering is None:
        abort(404)
    return offering


def sheet_etag(offering: Offering, session: int, rows) -> str:
    """Changes whenever a result of the sheet changes (its version) or the sheet locks."""
    parts = [
        f"{row.registration.id}:{row.result.id}:{row.result.version}" if row.result else f"{row.registration.id}:-"
        for row in rows
    ]
    parts.append("locked" if services.sheet_locked(offering, session) else "open")
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:32]


def _result(result) -> dict | None:
    if result is None:
        return None
    return ResultOut(
        id=result.id,
        grade=None if result.grade is None else str(Decimal(result.grade).quantize(Decimal("0.01"))),
        absent=bool(result.absent),
        decision=result.decision.value if result.decision else None,
        comment=result.comment,
        status=result.status.value,
        locked=result.locked,
        version=result.version,
    ).model_dump()


def _precondition(offering: Offering, session: int):
    """None when ``If-Match`` names the sheet as it is now; else the 428/412 answer."""
    rows = queries.sheet_rows(offering, session)
    if not request.if_match:
        answer = problem(
            428, _("Send the sheet's ETag in If-Match (read the sheet first)."), _("Precondition required")
        )
        return answer, rows
    if not request.if_match.star_tag and not request.if_match.contains(sheet_etag(offering, session, rows)):
        return problem(412, _("The sheet changed since you read it: read it again."), _("Precondition failed")), rows
    return None, rows


@bp.get(
    "/offerings/<int:offering_id>/sessions/<int:session>/results",
    tags=[TAG],
    responses={200: SheetOut, 404: Problem},
    summary="A grade sheet (its ETag in the ETag header)",
)
@roles_required(*STAFF)
def sheet(path: SheetPath):
    offering = _offering(path.offering_id)
    deny_unless(queries.can_view_sheet(current_user, offering))
    rows = queries.sheet_rows(offering, path.session)
    answer = jsonify(
        SheetOut(
            offering_id=offering.id,
            unit=offering.unit.code,
            academic_year=offering.academic_year,
            session=path.session,
            locked=services.sheet_locked(offering, path.session),
            rows=[
                SheetRowOut(
                    registration_id=row.registration.id,
                    learner_number=row.learner.learner_number,
                    name=row.learner.user.name,
                    result=_result(row.result),
                )
                for row in rows
            ],
        ).model_dump()
    )
    answer.set_etag(sheet_etag(offering, path.session, rows))
    return answer


def _row_input(row, current_versions: dict[int, int | None]) -> RowInput:
    sent = row.model_fields_set
    grade = None if "grade" not in sent else ("" if row.grade is None else str(row.grade))
    version = row.version if "version" in sent else current_versions.get(row.registration_id)
    return RowInput(
        registration_id=row.registration_id,
        grade=grade,
        absent=bool(row.absent),
        decision=row.decision or "",
        comment=None if "comment" not in sent else (row.comment or ""),
        version=version,
    )


@bp.patch(
    "/offerings/<int:offering_id>/sessions/<int:session>/results",
    tags=[TAG],
    responses={200: SheetSaved, 404: Problem, 409: Problem, 412: Problem, 422: Problem, 428: Problem},
    summary="Save rows of a sheet as drafts (all or nothing; If-Match required)",
)
@roles_required(Role.TUTOR, Role.ADMIN)
def save(path: SheetPath, body: SheetIn):
    offering = _offering(path.offering_id)
    deny_unless(queries.can_edit_sheet(current_user, offering))
    refused, rows = _precondition(offering, path.session)
    if refused is not None:
        return refused
    services.lock_sheet(offering, path.session)
    current = {row.registration.id: (row.result.version if row.result else None) for row in rows}
    try:
        written = services.save_sheet(
            offering, path.session, [_row_input(row, current) for row in body.rows], current_user, publish=False
        )
    except services.SheetRejected as rejected:
        errors = [{"registration_id": key, "message": str(message)} for key, message in sorted(rejected.errors.items())]
        return problem(422, str(rejected), _("Invalid data"), errors=errors)
    except services.VersionConflict as conflict:
        return problem(409, str(conflict), _("Conflict"), registration_ids=conflict.registration_ids)
    answer = jsonify(SheetSaved(saved=len(written)).model_dump())
    db.session.flush()
    answer.set_etag(sheet_etag(offering, path.session, queries.sheet_rows(offering, path.session)))
    return answer


@bp.post(
    "/offerings/<int:offering_id>/sessions/<int:session>/publication",
    tags=[TAG],
    responses={200: PublicationOut, 404: Problem, 409: Problem, 412: Problem, 422: Problem, 428: Problem},
    summary="Publish the sheet's drafts that have a value (If-Match required)",
)
@roles_required(Role.TUTOR, Role.ADMIN)
def publish(path: SheetPath, body: PublicationIn):
    offering = _offering(path.offering_id)
    deny_unless(queries.can_edit_sheet(current_user, offering))
    refused, _rows = _precondition(offering, path.session)
    if refused is not None:
        return refused
    pending = services.to_publish(offering, path.session)
    published = services.publish_sheet(
        offering,
        path.session,
        current_user,
        expected=services.publication_key(pending),
        confirm_early=body.confirm_early,
    )
    return PublicationOut(published=len(published)).model_dump()
