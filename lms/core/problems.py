"""RFC 9457 problem details: how every error under /api/ is answered."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, detail: str | None, title: str, **extra: Any) -> Response:
    """A problem details answer; ``title`` and ``detail`` are in the request's language, ``extra``
    members (such as ``errors``, one per invalid field) are added as they are."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    return response
