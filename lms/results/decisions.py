"""Programme directors' and administrators' decisions: UAs validated on evidence, credits granted
without an exam (VES, VAE, exemption, transfer) and substitutions, each with who decided, when and
why. Revoking keeps
the row (revoked_at, by whom, why): a decision is never erased. Every decision re-audits the
learner in the same transaction. Services flush, never commit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.accounts.models import Learner, User
from lms.catalog.directors import may_decide
from lms.catalog.models import Programme, Unit, UnitKind
from lms.core.errors import Refusal
from lms.core.holdings import holdings_changed
from lms.core.time import utcnow
from lms.extensions import db
from lms.notifications.services import notify
from lms.results.models import ActivityDecision, Credit, CreditSource, Decision, Substitution


class DecisionError(Refusal):
    """A decision that breaks a rule; the message is for people."""

    status = 422


class NotAllowed(Refusal):
    """The actor may not decide for this learner or programme."""

    status = 403


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise DecisionError(_("A reason is required."))
    return text


def grant_credit(
    actor: User,
    learner: Learner,
    unit: Unit,
    source: CreditSource,
    granted_on: date,
    reason: str,
    programme: Programme | None = None,
) -> Credit:
    if source is CreditSource.VES and programme is None:
        raise DecisionError(_("A VES credit is valid for one programme: choose it."))
    if not may_decide(actor, learner, programme):
        raise NotAllowed(_("You do not direct this learner's programme."))
    live = db.session.scalar(
        sa.select(Credit.id).where(
            Credit.learner_id == learner.id,
            Credit.unit_id == unit.id,
            Credit.revoked_at.is_(None),
            Credit.programme_id.is_(None) if programme is None else Credit.programme_id == programme.id,
        )
    )
    if live is not None:
        raise DecisionError(_("%(code)s is already credited to this learner.", code=unit.code))
    credit = Credit(
        learner_id=learner.id,
        unit_id=unit.id,
        source=source,
        programme_id=programme.id if programme else None,
        granted_on=granted_on,
        reason=_reason(reason),
        decided_by_id=actor.id,
    )
    db.session.add(credit)
    holdings_changed([learner.id], "credit granted")
    return credit


def revoke_credit(actor: User, credit: Credit, reason: str) -> Credit:
    if credit.revoked_at is not None:
        raise DecisionError(_("This credit is already revoked."))
    if not may_decide(actor, credit.learner, credit.programme):
        raise NotAllowed(_("You do not direct this learner's programme."))
    credit.revoke_reason = _reason(reason)
    credit.revoked_at = utcnow()
    credit.revoked_by_id = actor.id
    holdings_changed([credit.learner_id], "credit revoked")
    return credit


def add_substitution(
    actor: User,
    learner: Learner,
    programme: Programme,
    substitute: Unit,
    replaced: Unit,
    reason: str,
    decided_on: date | None = None,
) -> Substitution:
    if substitute.id == replaced.id:
        raise DecisionError(_("A unit cannot stand for itself."))
    if not may_decide(actor, learner, programme):
        raise NotAllowed(_("You do not direct this programme."))
    live = db.session.scalar(
        sa.select(Substitution.id).where(
            Substitution.learner_id == learner.id,
            Substitution.programme_id == programme.id,
            Substitution.replaced_unit_id == replaced.id,
            Substitution.revoked_at.is_(None),
        )
    )
    if live is not None:
        raise DecisionError(_("%(code)s already has a substitute for this learner.", code=replaced.code))
    substitution = Substitution(
        learner_id=learner.id,
        programme_id=programme.id,
        substitute_unit_id=substitute.id,
        replaced_unit_id=replaced.id,
        reason=_reason(reason),
        decided_by_id=actor.id,
        decided_on=decided_on or utcnow().date(),
    )
    db.session.add(substitution)
    holdings_changed([learner.id], "substitution")
    return substitution


def revoke_substitution(actor: User, substitution: Substitution, reason: str) -> Substitution:
    if substitution.revoked_at is not None:
        raise DecisionError(_("This substitution is already revoked."))
    programme = db.session.get(Programme, substitution.programme_id)
    learner = db.session.get(Learner, substitution.learner_id)
    if not may_decide(actor, learner, programme):
        raise NotAllowed(_("You do not direct this programme."))
    substitution.revoke_reason = _reason(reason)
    substitution.revoked_at = utcnow()
    holdings_changed([learner.id], "substitution revoked")
    return substitution


def decide_activity(
    actor: User,
    learner: Learner,
    unit: Unit,
    decision: Decision,
    decided_on: date,
    evidence: str,
    grade: Decimal | None = None,
) -> ActivityDecision:
    """Validate (or not) a UA on evidence — professional experience, mémoire, stage — outside any
    grade sheet. The learner is told at once, in the app and by e-mail."""
    if unit.kind is not UnitKind.UA:
        raise DecisionError(
            _("%(code)s is a UE: it is validated by an exam or a credit, not by a decision.", code=unit.code)
        )
    if not may_decide(actor, learner, None, unit):
        raise NotAllowed(_("You do not direct this learner's programme."))
    live = db.session.scalar(
        sa.select(ActivityDecision.id).where(
            ActivityDecision.learner_id == learner.id,
            ActivityDecision.unit_id == unit.id,
            ActivityDecision.revoked_at.is_(None),
        )
    )
    if live is not None:
        raise DecisionError(
            _("%(code)s is already decided for this learner: revoke that decision first.", code=unit.code)
        )
    text = (evidence or "").strip()
    if not text:
        raise DecisionError(_("Note the evidence the decision rests on."))
    row = ActivityDecision(
        learner_id=learner.id,
        unit_id=unit.id,
        decision=decision,
        grade=grade,
        decided_on=decided_on,
        evidence=text,
        decided_by_id=actor.id,
    )
    db.session.add(row)
    holdings_changed([learner.id], "activity decided")
    title = (
        _l("%(code)s validated", code=unit.code)
        if decision is Decision.VALIDATED
        else _l("%(code)s not validated", code=unit.code)
    )
    notify(
        [learner.user], "activity_decided", title, _l("A decision on %(title)s is on your record.", title=unit.title)
    )
    return row


def revoke_activity_decision(actor: User, row: ActivityDecision, reason: str) -> ActivityDecision:
    if row.revoked_at is not None:
        raise DecisionError(_("This decision is already revoked."))
    if not may_decide(actor, row.learner, None, row.unit):
        raise NotAllowed(_("You do not direct this learner's programme."))
    row.revoke_reason = _reason(reason)
    row.revoked_at = utcnow()
    row.revoked_by_id = actor.id
    holdings_changed([row.learner_id], "activity decision revoked")
    return row
