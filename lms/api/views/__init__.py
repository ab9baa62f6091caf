"""The JSON API, version 1 (``/api/v1``): one module per resource, all on :data:`bp`, whose
OpenAPI description is generated from the views' pydantic shapes (``lms.api.schemas``).

Access is the pages' own: each view declares who may call it (``lms.core.access``), and checks
objects like the pages do (404 for what the caller may not know exists, 403 otherwise)."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint

from lms.api.auth import protect
from lms.api.schemas.common import Problem

SECURITY = [{"bearer": []}, {"session": []}]

bp = APIBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    abp_security=SECURITY,
    abp_responses={400: Problem, 401: Problem, 403: Problem, 429: Problem},
)

protect(bp)


from lms.api.views import (  # noqa: E402,F401  (routes on bp)
    account,
    attendance,
    awards,
    catalogue,
    decisions,
    imports,
    intakes,
    offerings,
    progress,
    registrations,
    reports,
    results,
    tokens,
)
