"""Every change of a result appends a history row; publishing re-audits and tells the plugins."""

from __future__ import annotations

from lms.accounts.models import User
from lms.core.time import utcnow
from lms.extensions import db
from lms.results.models import (
    HistoryAction,
    Result,
    ResultHistory,
)
from lms.results.services.values import Value


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


def apply_value(result: Result, value: Value, actor: User | None) -> None:
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
