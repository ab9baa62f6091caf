"""The public verification page of a certificate: valid or revoked, and its essential facts only
(learner name, programme, date, certificate number). No login; 404 for an unknown code."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import format_date

from lms.awards import queries
from lms.awards.views import bp
from lms.catalog.labels import PROGRAMME_KIND
from lms.core.access import public


@bp.route("/verify/<code>")
@public
def verify(code: str):
    award = queries.award_by_code(code)
    if award is None:
        abort(404)
    version = award.enrolment.programme_version
    response = render_template(
        "awards/verify.html",
        valid=award.revoked_at is None,
        revoked_on=format_date(award.revoked_at.date(), format="long") if award.revoked_at else None,
        name=award.enrolment.learner.user.name,
        programme_code=version.programme.code,
        programme_title=version.title,
        kind=PROGRAMME_KIND.get(version.kind, version.kind.value),
        decided_on=format_date(award.decided_on, format="long"),
        number=award.certificate_number,
    )
    return response, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
