"""Grade-sheet pages, one module per subject: sheets (my offerings, the sheet of one exam session,
the jury date, the CSV download), imports (a grade file onto a sheet, preview then confirm) and
records (corrections after the jury, a result's history, the learner's own results); pages holds
what sheets and records both show (the correction form, the conflict page)."""

from __future__ import annotations

from flask import Blueprint, abort

from lms.extensions import db
from lms.timetable.models import Offering

bp = Blueprint("results", __name__, url_prefix="/results")


def offering_or_404(offering_id: int) -> Offering:
    offering = db.session.get(Offering, offering_id)
    if offering is None:
        abort(404)
    return offering


def session_or_404(session: int) -> int:
    if session not in (1, 2):
        abort(404)
    return session


from lms.results.views import imports, records, sheets  # noqa: E402, F401 - registers the routes (needs bp above)

__all__ = ["bp"]
