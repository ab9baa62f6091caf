"""The API's description: ``/api/v1/openapi.json`` (OpenAPI 3.1, generated from the views) and a
browsable page at ``/api/v1/docs`` (Swagger UI, its files served from the installed package: no
CDN, the site's content security policy unchanged)."""

from __future__ import annotations

import copy
from pathlib import Path

import flask_openapi3_swagger
from flask import Blueprint, current_app, jsonify, render_template

from lms.core.access import public

ASSETS = Path(flask_openapi3_swagger.__file__).parent / "templates" / "swagger"

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1", static_folder=str(ASSETS), static_url_path="/docs/assets")


def description() -> dict:
    """The OpenAPI document of this app (built once per process from the registered views)."""
    document = copy.deepcopy(current_app.api_doc)
    document["info"]["description"] = (
        "The lms REST API. Authenticate with `Authorization: Bearer <token>` (personal tokens on the "
        "account page, service tokens with `lms tokens create`), or with the browser session (then "
        "writes need the `X-CSRFToken` header). Errors are RFC 9457 problem details in the language "
        "of `Accept-Language` (French by default)."
    )
    return document


@bp.route("/openapi.json")
@public
def openapi_json():
    return jsonify(description())


@bp.route("/docs")
@public
def docs():
    return render_template("api/docs.html")
