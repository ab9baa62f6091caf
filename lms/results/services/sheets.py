"""Grade sheets: drafts and publication, the jury date and locking after the jury.

Functions flush, never commit: the request boundary commits once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from contextlib import nullcontext
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.catalog.models import UnitKind
from lms.core import holdings
from lms.core.audit import record_event
from lms.core.i18n import lazy_gettext as _l
from lms.core.models import AuditEvent
from lms.core.time import utcnow
from lms.extensions import db
from lms.results.grades import GradeError
from lms.results.models import (
    HistoryAction,
    Result,
    ResultStatus,
)
from lms.results.services.history import announce_published, apply_value, record_history
from lms.results.services.refusals import (
    JuryBeforeExam,
    PublicationChanged,
    PublicationTooEarly,
    PublishedResultChange,
    SheetLocked,
    SheetRejected,
    VersionConflict,
)
from lms.results.services.values import SOURCE_SHEET, RowInput, Value, read_value, snapshot, value_of
from lms.timetable.models import Offering, Registration


def jury_date(offering: Offering, session: int) -> date | None:
    return offering.jury1_on if session == 1 else offering.jury2_on


def sheet_locked(offering: Offering, session: int, today: date | None = None) -> bool:
    """Locked the day after the jury of that session."""
    jury = jury_date(offering, session)
    return jury is not None and (today or utcnow().date()) > jury


def save_sheet(
    offering: Offering,
    session: int,
    rows: Iterable[RowInput],
    actor: User | None,
    publish: bool,
    today: date | None = None,
    source: str = SOURCE_SHEET,
    confirm_early: bool = False,
) -> list[Result]:
    """Save the rows of one grade sheet, all or nothing; ``publish`` also publishes every filled row
    (before the exam date only with ``confirm_early``, logged in the audit log).

    A published result is never changed here: its row is refused, the correction path
    (:func:`~lms.results.services.corrections.correct_result`) is the only way.

    Raises :class:`SheetLocked`, :class:`PublicationTooEarly`, :class:`SheetRejected` (invalid
    rows, nothing written) or :class:`VersionConflict` (a row changed since it was loaded; the
    caller rolls back). Returns the results written.
    """
    if session not in (1, 2):
        raise ValueError("exam session is 1 or 2")
    if sheet_locked(offering, session, today):
        raise SheetLocked()
    early = publish and publication_early(offering, session, today)
    if early and not confirm_early:
        raise PublicationTooEarly(_l("The exam of this session has not taken place yet: nothing was published."))
    rows = list(rows)
    is_ua = offering.unit.kind == UnitKind.UA
    named = {row.registration_id for row in rows}  # read those rows only: a sheet may hold thousands
    allowed = {registration.id: registration for registration in sheet_registrations(offering, session, named)}
    existing = (
        {
            result.registration_id: result
            for result in db.session.scalars(
                sa.select(Result).where(
                    Result.registration_id.in_(list(allowed)),
                    Result.exam_session == session,
                )
            )
        }
        if allowed
        else {}
    )

    errors: dict[int, Any] = {}
    values: dict[int, Value] = {}
    conflicts: list[int] = []
    for row in rows:
        if row.registration_id not in allowed:
            errors[row.registration_id] = _l("This learner is not on this sheet.")
            continue
        result = existing.get(row.registration_id)
        try:
            value = read_value(row, is_ua, value_of(result))
        except GradeError as error:
            errors[row.registration_id] = error.message
            continue
        if result is not None and row.version != result.version and value != value_of(result):
            conflicts.append(row.registration_id)  # changed meanwhile, and this save would overwrite it
            continue
        if result is not None and result.locked and value != value_of(result):
            errors[row.registration_id] = _l("This result is locked: ask a director for a correction.")
            continue
        if result is not None and result.status == ResultStatus.PUBLISHED and value != value_of(result):
            errors[row.registration_id] = PublishedResultChange.message  # a draft save never touches it
            continue
        values[row.registration_id] = value
    if errors:
        raise SheetRejected(errors)
    if conflicts:
        raise VersionConflict(conflicts)

    written: list[Result] = []
    written_ids: list[int] = []
    newly_published: list[Result] = []
    now = utcnow()
    for registration_id, value in values.items():
        result = existing.get(registration_id)
        if result is None:
            if value.empty:
                continue
            result = Result(
                registration=allowed[registration_id],
                exam_session=session,
                status=ResultStatus.DRAFT,
            )
            apply_value(result, value, actor)
            db.session.add(result)
            record_history(result, HistoryAction.CREATE, actor, None, snapshot(result), source)
        elif value != value_of(result):
            old = snapshot(result)
            apply_value(result, value, actor)
            record_history(result, HistoryAction.EDIT, actor, old, snapshot(result), source)
        elif not (publish and result.status == ResultStatus.DRAFT and not value.empty):
            continue
        if publish and result.status == ResultStatus.DRAFT and not value.empty:
            _publish(result, actor, now, source)
            newly_published.append(result)
        written.append(result)
        written_ids.append(registration_id)
    try:
        # A publication re-audits the learners just below: not once more at this savepoint.
        with holdings.settled_by_caller() if newly_published else nullcontext(), db.session.begin_nested():
            db.session.flush()
    except StaleDataError:
        raise VersionConflict(written_ids) from None
    except sa.exc.IntegrityError:  # another first save of the same empty row won the race
        raise VersionConflict(written_ids) from None
    if newly_published:
        if early:
            _log_early_publication(offering, session, actor, len(newly_published))
        announce_published(newly_published)
    return written


def exam_date(offering: Offering, session: int) -> date | None:
    return offering.exam1_on if session == 1 else offering.exam2_on


def publication_early(offering: Offering, session: int, today: date | None = None) -> bool:
    """True before the exam day of the session (an exam date not set yet is not a reason to wait)."""
    exam = exam_date(offering, session)
    return exam is not None and (today or utcnow().date()) < exam


def to_publish(offering: Offering, session: int) -> list[Result]:
    """The drafts with a value on the sheet: what publishing would show to their learners."""
    registration_ids = [registration.id for registration in sheet_registrations(offering, session)]
    if not registration_ids:
        return []
    drafts = db.session.scalars(
        sa.select(Result)
        .where(
            Result.registration_id.in_(registration_ids),
            Result.exam_session == session,
            Result.status == ResultStatus.DRAFT,
        )
        .order_by(Result.id)
    )
    return [result for result in drafts if not value_of(result).empty]


def publication_key(results: Iterable[Result]) -> str:
    """Which results at which versions: the confirmation page sends it back, so that what is
    published is what was counted."""
    return ",".join(f"{result.id}:{result.version}" for result in sorted(results, key=lambda r: r.id))


def publish_sheet(
    offering: Offering,
    session: int,
    actor: User | None,
    *,
    expected: str | None = None,
    confirm_early: bool = False,
    today: date | None = None,
) -> list[Result]:
    """Publish the drafts of a sheet that have a value, after the confirmation page.

    ``expected`` is the :func:`publication_key` the page showed (:class:`PublicationChanged` when
    the drafts are no longer those). Before the exam date, :class:`PublicationTooEarly` unless
    ``confirm_early``; an early publication is logged in the audit log. Returns the results published.
    """
    if session not in (1, 2):
        raise ValueError("exam session is 1 or 2")
    if sheet_locked(offering, session, today):
        raise SheetLocked()
    results = to_publish(offering, session)
    if expected is not None and publication_key(results) != expected:
        raise PublicationChanged()
    early = publication_early(offering, session, today)
    if early and not confirm_early:
        raise PublicationTooEarly(
            _l("The exam of this session has not taken place yet: confirm that it is on purpose.")
        )
    if not results:
        return []
    now = utcnow()
    for result in results:
        _publish(result, actor, now, SOURCE_SHEET)
    try:
        # A publication re-audits the learners just below: not once more at this savepoint.
        with holdings.settled_by_caller(), db.session.begin_nested():
            db.session.flush()
    except StaleDataError:
        raise VersionConflict([result.registration_id for result in results]) from None
    if early:
        _log_early_publication(offering, session, actor, len(results))
    announce_published(results)
    return results


def _publish(result: Result, actor: User | None, now, source: str) -> None:
    old = snapshot(result)
    result.status = ResultStatus.PUBLISHED
    result.published_at = now
    result.decided_on = now.date()
    record_history(result, HistoryAction.PUBLISH, actor, old, snapshot(result), source)


def _log_early_publication(offering: Offering, session: int, actor: User | None, count: int) -> None:
    exam = exam_date(offering, session)
    record_event(
        AuditEvent.RESULTS_PUBLISHED_EARLY,
        user_id=actor.id if actor is not None else None,
        details={
            "offering": offering.id,
            "unit": offering.unit.code,
            "session": session,
            "exam_on": exam.isoformat() if exam else None,
            "results": count,
        },
    )


def set_jury_date(offering: Offering, session: int, day: date, today: date | None = None) -> None:
    """Set the jury date of an exam session; the sheet locks the day after it. A jury that has
    already met stays as it is: moving it would unlock published results. A jury meets on or
    after the exam day (:class:`JuryBeforeExam`)."""
    if sheet_locked(offering, session, today):
        raise SheetLocked(_l("The jury has met: this sheet is locked."))
    exam = exam_date(offering, session)
    if exam is not None and day < exam:
        raise JuryBeforeExam(
            _l("The jury cannot meet before the exam of this session, on %(date)s.", date=format_date(exam))
        )
    if session == 1:
        offering.jury1_on = day
    else:
        offering.jury2_on = day
    db.session.flush()


def lock_sheet(
    offering: Offering,
    session: int,
    actor: User | None = None,
    today: date | None = None,
) -> int:
    """Once the jury date is past, lock the published results of the sheet (one ``lock`` row each)."""
    if not sheet_locked(offering, session, today):
        return 0
    results = db.session.scalars(
        sa.select(Result)
        .join(Registration, Result.registration_id == Registration.id)
        .where(
            Registration.offering_id == offering.id,
            Result.exam_session == session,
            Result.status == ResultStatus.PUBLISHED,
            Result.locked.is_(False),
        )
    ).all()
    if not results:
        return 0
    try:
        with db.session.begin_nested():  # only this is undone if another request got there first
            for result in results:
                old = snapshot(result)
                result.locked = True
                record_history(result, HistoryAction.LOCK, actor, old, snapshot(result), SOURCE_SHEET)
    except StaleDataError:  # another request locked (or corrected) them meanwhile: theirs stands
        return 0
    return len(results)


def sheet_registrations(offering: Offering, session: int, only: Collection[int] | None = None) -> list[Registration]:
    from lms.results.queries import sheet_registrations as query

    return query(offering, session, only)


__all__ = [
    "exam_date",
    "jury_date",
    "lock_sheet",
    "publication_early",
    "publication_key",
    "publish_sheet",
    "save_sheet",
    "set_jury_date",
    "sheet_locked",
    "sheet_registrations",
    "to_publish",
]
