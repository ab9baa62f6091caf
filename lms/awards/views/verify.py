"""The public verification page of every document lms issues (certificates, transcripts), from
the shared registry (:mod:`lms.core.verification`): valid or revoked, what was issued, to whom,
when, and the few facts its kind discloses. No login; 404 for an unknown code."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import format_date

from lms.awards import certificates  # noqa: F401 - registers the certificate kind
from lms.awards.views import bp
from lms.core import verification
from lms.core.access import public

verification.serve_at("awards.verify")


@bp.route("/verify/<code>")
@public
def verify(code: str):
    document = verification.lookup(code)
    described = verification.describe(document) if document is not None else None
    if described is None:
        abort(404)
    response = render_template(
        "awards/verify.html",
        document=described,
        issued_on=format_date(document.issued_at.date(), format="long"),
        revoked_on=format_date(described.revoked_on.date(), format="long") if described.revoked_on else None,
    )
    return response, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
