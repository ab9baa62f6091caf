"""Pages shared by the sheet and record routes: the conflict page of a stale write, and the
correction of a published result (before the jury on the sheet, after it by a director)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_login import current_user

from lms.catalog.models import UnitKind
from lms.core.i18n import gettext as _
from lms.core.refusals import attempt
from lms.results import queries, services
from lms.results.forms import CorrectionForm
from lms.results.models import Result
from lms.timetable.models import Offering


def render_conflict(offering, session, registration_ids, posted):
    """409: the rows someone else changed meanwhile, theirs beside what was posted."""
    rows = {row.registration.id: row for row in queries.sheet_rows(offering, session)}
    conflicts = [(rows[rid], posted.get(rid)) for rid in registration_ids if rid in rows]
    return (
        render_template(
            "results/conflict.html",
            offering=offering,
            session=session,
            conflicts=conflicts,
            is_ua=offering.unit.kind == UnitKind.UA,
        ),
        409,
    )


def correction_form(current: services.Value, version: int) -> CorrectionForm:
    return CorrectionForm(
        grade="" if current.grade is None else str(current.grade),
        absent=current.absent,
        decision=current.decision.value if current.decision else "",
        comment=current.comment or "",
        version=str(version),
    )


def correction_page(result: Result, offering: Offering, done: str):
    """The correction form of ``result`` (the caller has checked who may correct it and when):
    on GET filled with its value, on POST the correction with its reason, then a redirect to
    ``done``; a refusal shows on the form (422), a stale version the conflict page (409)."""
    current = services.value_of(result)
    form = CorrectionForm() if request.method == "POST" else correction_form(current, result.version)
    is_ua = offering.unit.kind == UnitKind.UA
    if form.validate_on_submit():
        row = services.RowInput(
            result.registration_id,
            grade=form.grade.data or "",
            absent=bool(form.absent.data),
            decision=form.decision.data or "",
            comment=form.comment.data or "",
        )
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        with attempt(form) as outcome:
            value = services.read_value(row, is_ua)
            services.correct_result(result, value, form.reason.data, current_user, version=version)
        if isinstance(outcome.refusal, services.VersionConflict):
            return render_conflict(
                offering, result.exam_session, [result.registration_id], {result.registration_id: row}
            )
        if not outcome.refused:
            flash(_("The result was corrected."), "success")
            return redirect(done)
    page = render_template(
        "results/correct.html", result=result, offering=offering, form=form, is_ua=is_ua, current=current
    )
    return page, 422 if request.method == "POST" else 200
