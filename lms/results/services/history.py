"""Every change of a result appends a history row; publishing re-audits and tells the plugins."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.time import utcnow
from lms.extensions import db
from lms.results.models import (
    HistoryAction,
    Result,
    ResultHistory,
    ResultStatus,
)
from lms.results.services.refusals import PublishedResultChange
from lms.results.services.values import Value

# The columns that make a result's value; once published they change only through a correction.
VALUE_COLUMNS = ("grade", "absent", "decision", "comment")


def record_history(
    result: Result,
    action: HistoryAction,
    actor: User | None,
    old,
    new,
    source: str,
    reason=None,
) -> None:
    db.session.add(
        ResultHistory(
            result=result,
            action=action,
            changed_at=utcnow(),
            changed_by_id=actor.id if actor is not None else None,
            old_value=old,
            new_value=new,
            source=source,
            reason=reason,
        )
    )


def apply_value(result: Result, value: Value, actor: User | None, *, correction: bool = False) -> None:
    """The one writer of a result's value. A published result is refused
    (:class:`PublishedResultChange`) unless ``correction`` (only :func:`correct_result` says so:
    it requires a reason, records it and tells the learner)."""
    if result.status == ResultStatus.PUBLISHED and not correction:
        raise PublishedResultChange()
    result._correcting = correction  # read by the flush guard below
    result.grade = value.grade
    result.absent = value.absent
    result.decision = value.decision
    result.comment = value.comment
    result.updated_at = utcnow()
    result.updated_by_id = actor.id if actor is not None else None


def announce_published(results: list[Result]) -> None:
    """After a publish or a correction: re-audit the learners, then tell the plugins."""
    from lms.core.holdings import holdings_changed

    holdings_changed({result.registration.learner_id for result in results}, "results published")
    from lms.plugins.manager import plugin_manager

    hook = plugin_manager().hook.lms_result_published
    for result in results:
        hook(result=result)


def _was_published(result: Result) -> bool:
    if "status" in sa.inspect(result).unloaded:
        return result.status == ResultStatus.PUBLISHED  # loads the stored status
    status = sa.inspect(result).attrs.status.history
    before = status.deleted or status.unchanged
    return bool(before) and before[0] == ResultStatus.PUBLISHED


@sa.event.listens_for(Result, "before_update")
def _refuse_uncorrected_change(_mapper, _connection, result: Result) -> None:
    """The backstop of :func:`apply_value` for any other writer (a script, a shell, a new path):
    the value of a result that was published is not flushed unless a correction set it."""
    correcting = result.__dict__.pop("_correcting", False)
    if correcting or not _was_published(result):
        return
    state = sa.inspect(result)
    if any(state.attrs[name].history.has_changes() for name in VALUE_COLUMNS):
        raise PublishedResultChange()


__all__ = ["announce_published", "apply_value", "record_history"]
