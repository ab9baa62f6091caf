"""Catalogue imports (administrators, ``admin`` scope): the YAML file as the request body, read
and checked exactly as the import page does; ``dry_run`` says what would change and writes nothing;
the import is all or nothing, and the learners' re-audit it starts is a job to follow."""

from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user
from flask_openapi3 import RawModel, Tag

from lms.accounts.models import Role
from lms.api.auth import requires_scope
from lms.api.models import Scope
from lms.api.schemas.catalogue import ImportOut, ImportProblems, ImportQuery, JobOut, JobPath
from lms.api.schemas.common import Problem
from lms.api.views import bp
from lms.catalog import uploads
from lms.catalog.services import apply_import, describe_plan
from lms.core import jobs
from lms.core.access import login_required, roles_required
from lms.core.holdings import settle
from lms.core.i18n import gettext as _
from lms.core.models import BackgroundJob
from lms.core.problems import problem
from lms.extensions import db

TAG = Tag(name="catalogue", description="Programmes, versions and units (public); catalogue imports.")


class CatalogueFile(RawModel):
    mimetypes = ["application/yaml", "text/yaml", "application/x-yaml"]


@bp.post(
    "/catalogue/imports",
    tags=[TAG],
    responses={200: ImportOut, 201: ImportOut, 413: Problem, 415: Problem, 422: ImportProblems},
    summary="Import catalogue files (formats.md sections 1 and 5); dry_run first",
)
@roles_required(Role.ADMIN)
@requires_scope(Scope.ADMIN)
def import_catalogue(query: ImportQuery, raw: CatalogueFile):
    limit = uploads.files.max_bytes()
    if (request.content_length or 0) > limit:
        return problem(413, _("The file is larger than %(n)d KiB.", n=limit // 1024), _("File too large"))
    if request.mimetype not in CatalogueFile.mimetypes:
        return problem(
            415, _("Send the catalogue as YAML (Content-Type: application/yaml)."), _("Unsupported media type")
        )
    data = request.get_data(cache=False)
    if len(data) > limit:
        return problem(413, _("The file is larger than %(n)d KiB.", n=limit // 1024), _("File too large"))
    preview = uploads.preview(data, uploads.files.display_name(query.filename))
    if not preview.ok:
        return problem(
            422, _("Nothing was imported: the file has problems."), _("Invalid data"), problems=preview.messages
        )
    answer = ImportOut(dry_run=query.dry_run, counts=preview.plan.counts(), changes=describe_plan(preview.plan))
    if query.dry_run or not preview.plan.has_changes:
        return answer.model_dump()
    apply_import(preview.plan)
    settle()
    started = jobs.started()
    answer.job = started[-1] if started else None
    return jsonify(answer.model_dump()), 201


@bp.get(
    "/jobs/<int:job_id>",
    tags=[TAG],
    responses={200: JobOut, 404: Problem},
    summary="A background job the caller started (a re-audit...)",
)
@login_required
def job(path: JobPath):
    found = db.session.get(BackgroundJob, path.job_id)
    if found is None or found.created_by_id != current_user.id:
        abort(404)
    return JobOut(**jobs.status_of(found)).model_dump()
