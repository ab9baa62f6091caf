"""Corrections of published results after the jury: a reason, a new value, a history row."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.core.i18n import lazy_gettext as _l
from lms.extensions import db
from lms.results.models import (
    HistoryAction,
    Result,
    ResultStatus,
)
from lms.results.services.history import announce_published, apply_value, record_history
from lms.results.services.refusals import CorrectionRefused, VersionConflict
from lms.results.services.sheets import sheet_locked
from lms.results.services.values import SOURCE_SHEET, Value, snapshot, value_of


def correct_result(
    result: Result,
    new_value: Value,
    reason: str,
    actor: User,
    version: int | None = None,
    today: date | None = None,
) -> Result:
    """The only way to change a published result: before the jury by the sheet's tutors or an
    administrator, after it (the sheet locked) by a director or an administrator.

    The caller checks who ``actor`` is; this checks the rules: a written reason, a published
    result, a value that changes something, the version it was read at. The history keeps who,
    when, the old and new values and the reason; the learner is told (``lms_result_published``).
    """
    reason = (reason or "").strip()
    if not reason:
        raise CorrectionRefused(_l("Give the reason for this correction."), "reason")
    if version is not None and version != result.version:
        raise VersionConflict([result.registration_id])
    offering = result.registration.offering
    if result.status != ResultStatus.PUBLISHED:
        raise CorrectionRefused(_l("Only a published result can be corrected."))
    if new_value.empty:
        raise CorrectionRefused(_l("A published result cannot be emptied."))
    if new_value == value_of(result):
        raise CorrectionRefused(_l("The new value is the same as the current one."))
    registration_id = result.registration_id
    old = snapshot(result)
    apply_value(result, new_value, actor, correction=True)
    if sheet_locked(offering, result.exam_session, today):
        result.locked = True  # corrected after the jury: its tutors no longer change it
    record_history(
        result,
        HistoryAction.CORRECTION,
        actor,
        old,
        snapshot(result),
        SOURCE_SHEET,
        reason,
    )
    try:
        db.session.flush()
    except StaleDataError:
        raise VersionConflict([registration_id]) from None
    announce_published([result])
    return result


__all__ = ["correct_result"]
