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
from flask_babel import format_date, format_decimal

from lms.accounts.models import Learner, User
from lms.catalog.directors import may_decide
from lms.catalog.models import Programme, Unit, UnitKind
from lms.catalog.queries import FreeSlot, free_slots
from lms.core.errors import Refusal
from lms.core.holdings import holdings_changed
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
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


def unit_named(code: str, field: str = "unit") -> Unit:
    """The catalogue's unit of ``code`` (any case, spaces around ignored); refused on ``field``."""
    code = (code or "").strip().upper()
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
    if unit is None:
        raise DecisionError(_("No unit %(code)s in the catalogue.", code=code), field=field)
    return unit


def replaced_named(code: str, programme: Programme | None, field: str = "replaced") -> Unit | FreeSlot:
    """What a substitution stands for: a free slot of the programme's tree, else a unit."""
    code = (code or "").strip().upper()
    slot = free_slots(programme.id).get(code) if programme is not None else None
    if slot is not None:
        return slot
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
    if unit is None:
        raise DecisionError(
            _("No unit or free slot %(code)s in this programme or the catalogue.", code=code), field=field
        )
    return unit


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise DecisionError(_("A reason is required."))
    return text


def _not_in_future(day: date | None, field: str) -> date:
    """The decision's date (today when not given); a date after today is refused."""
    today = utcnow().date()
    if day is None:
        return today
    if day > today:
        raise DecisionError(
            _(
                "The decision date %(date)s is in the future: date it on the day it was taken, today at the latest.",
                date=format_date(day),
            ),
            field=field,
        )
    return day


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
    granted_on = _not_in_future(granted_on, "granted_on")
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
    replaced: Unit | FreeSlot,
    reason: str,
    decided_on: date | None = None,
    counted_ects: Decimal | None = None,
) -> Substitution:
    """``substitute`` meets the leaf ``replaced`` of ``programme`` for this learner: a unit of its
    tree, or one of its free slots (:func:`~lms.catalog.queries.free_slots`), which nothing else fills.

    The substitute must be a unit the learner holds validated for the programme, or is registered
    for (the substitution is then recorded as such and counts in progress until it is validated);
    it may stand for one unit only in a programme. A substitute worth fewer ECTS than the unit it
    replaces needs ``counted_ects``, the ECTS the director confirms the audit counts there."""
    if substitute.id == replaced.id:
        raise DecisionError(_("A unit cannot stand for itself."), field="substitute")
    if not may_decide(actor, learner, programme):
        raise NotAllowed(_("You do not direct this programme."))
    decided_on = _not_in_future(decided_on, "decided_on")
    slot = isinstance(replaced, FreeSlot)
    live = db.session.scalar(
        sa.select(Substitution.id).where(
            Substitution.learner_id == learner.id,
            Substitution.programme_id == programme.id,
            Substitution.replaced_slot == replaced.code if slot else Substitution.replaced_unit_id == replaced.id,
            Substitution.revoked_at.is_(None),
        )
    )
    if live is not None:
        raise DecisionError(
            _("%(code)s already has a substitute for this learner.", code=replaced.code), field="replaced"
        )
    _check_unused_substitute(learner, programme, substitute)
    registered = _substitute_standing(learner, programme, substitute)
    substitution = Substitution(
        learner_id=learner.id,
        programme_id=programme.id,
        substitute_unit_id=substitute.id,
        replaced_unit_id=None if slot else replaced.id,
        replaced_slot=replaced.code if slot else None,
        reason=_reason(reason),
        decided_by_id=actor.id,
        decided_on=decided_on,
        substitute_registered=registered,
        counted_ects=_counted_ects(substitute, replaced, counted_ects),
    )
    db.session.add(substitution)
    holdings_changed([learner.id], "substitution")
    return substitution


def _check_unused_substitute(learner: Learner, programme: Programme, substitute: Unit) -> None:
    """Within one programme a unit is applied to one requirement at most: a substitute already
    standing for another unit there would count twice (or not at all)."""
    other = db.session.scalar(
        sa.select(sa.func.coalesce(Unit.code, Substitution.replaced_slot))
        .select_from(Substitution)
        .outerjoin(Unit, Substitution.replaced_unit_id == Unit.id)
        .where(
            Substitution.learner_id == learner.id,
            Substitution.programme_id == programme.id,
            Substitution.substitute_unit_id == substitute.id,
            Substitution.revoked_at.is_(None),
        )
        .limit(1)
    )
    if other is not None:
        raise DecisionError(
            _(
                "%(code)s already stands for %(other)s in %(programme)s: revoke that substitution first.",
                code=substitute.code,
                other=other,
                programme=programme.code,
            ),
            field="substitute",
        )


def _substitute_standing(learner: Learner, programme: Programme, substitute: Unit) -> bool:
    """Whether the learner is only registered for ``substitute`` today (False: it is validated for
    the programme, on the audit's own reading of the record); refused when neither."""
    # The audit's reading of the record lives in progress, which builds on this area: import late.
    from lms.progress.audit.holdings import REGISTERED, read_holdings, standing
    from lms.progress.queries import catalogue_from_database, enrolled_version
    from lms.progress.records import learner_record

    catalog = catalogue_from_database()
    version = enrolled_version(learner, programme.code) or max(
        (v for code, v in catalog.programs if code == programme.code), default=None
    )
    program = catalog.programs.get((programme.code, version)) if version is not None else None
    state, today = None, utcnow().date()
    if program is not None:
        held = read_holdings(program, catalog.units, learner_record(learner, today), today)
        state = standing(held, substitute.code)
    if state is None:
        raise DecisionError(
            _(
                "%(code)s is neither validated nor registered for by this learner: "
                "a substitute must be a unit the learner holds.",
                code=substitute.code,
            ),
            field="substitute",
        )
    return state == REGISTERED


def _counted_ects(substitute: Unit, replaced: Unit | FreeSlot, counted: Decimal | None) -> Decimal | None:
    """The ECTS the decision counts: required, and confirmed by the director, for a substitute
    worth fewer ECTS than the unit it replaces (None: the replaced unit's ECTS)."""
    if substitute.ects >= replaced.ects:
        if counted is not None and counted != replaced.ects:
            raise DecisionError(
                _(
                    "%(code)s is worth at least the %(ects)s ECTS of %(replaced)s: "
                    "the substitution counts %(ects)s ECTS, leave the ECTS counted empty.",
                    code=substitute.code,
                    ects=_ects(replaced.ects),
                    replaced=replaced.code,
                ),
                field="counted_ects",
            )
        return None
    if counted is None:
        raise DecisionError(
            _(
                "%(code)s is worth %(ects)s ECTS, fewer than the %(replaced_ects)s ECTS of %(replaced)s: "
                "confirm the ECTS counted.",
                code=substitute.code,
                ects=_ects(substitute.ects),
                replaced_ects=_ects(replaced.ects),
                replaced=replaced.code,
            ),
            field="counted_ects",
        )
    if counted <= 0 or counted > replaced.ects or (counted * 2) % 1:
        raise DecisionError(
            _(
                "The ECTS counted must be a whole or half number above 0 and at most %(ects)s (the ECTS of %(code)s).",
                ects=_ects(replaced.ects),
                code=replaced.code,
            ),
            field="counted_ects",
        )
    return counted


def _ects(value: Decimal) -> str:
    return format_decimal(value, format="#,##0.#")


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
    decided_on = _not_in_future(decided_on, "decided_on")
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
