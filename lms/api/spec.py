"""What the OpenAPI app is built with (``lms.app.create_app``): the description's title and
security schemes, and invalid parameters answered as problem details."""

from __future__ import annotations

from flask import make_response
from flask_openapi3 import Info
from pydantic import ValidationError

from lms.core.i18n import gettext as _
from lms.core.problems import problem


def invalid_request(error: ValidationError):
    """A parameter or body the description refuses: 400, one entry per field at fault."""
    errors = [
        {"field": ".".join(str(part) for part in item["loc"]), "message": item["msg"]}
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]
    return make_response(problem(400, _("Some parameters are invalid."), _("Bad request"), errors=errors))


API_OPTIONS = {
    "info": Info(title="lms", version="1", summary="Modular diplomas for working adults"),
    "security_schemes": {
        "bearer": {"type": "http", "scheme": "bearer", "description": "A personal or service API token."},
        "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "The browser session."},
    },
    "validation_error_status": 400,
    "validation_error_callback": invalid_request,
    "doc_ui": False,  # lms.api.docs serves the description and its page
}
