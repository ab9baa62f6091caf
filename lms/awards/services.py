"""Awards: a jury decision written in the same transaction as a fresh, complete audit; revocation.

Rules:

- an administrator awards any programme, a director the programmes they direct;
- the learner is re-audited (``lms_holdings_changed``) and the stored snapshot of the enrolment is
  read back: it must be *complete*, otherwise :class:`AwardError` and the request rolls back;
- one valid award per learner and programme, whatever the version: a second one is refused with
  :class:`AlreadyAwarded` (409), and a partial unique index makes a concurrent one fail (409 too);
- the jury cannot be dated before the last exam counted in the audit (:class:`AwardError`);
- a learner who earned a certificate on the way to another programme (not enrolled in it) is
  enrolled in the same transaction, then audited like any enrolment;
- each award gets a readable certificate number ``<programme code>-<year>-<sequence>`` and a random
  public verification code (``secrets.token_urlsafe``); its ECTS are the version's nominal ECTS;
- the learner is notified and ``lms_award_granted(award)`` is called, still in the transaction: a
  failure there rolls the award back too.

Services flush, never commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import format_date

from lms.accounts.models import Learner, User
from lms.awards import queries
from lms.awards.models import CERTIFICATE, Award
from lms.catalog.directors import may_direct
from lms.catalog.models import Programme, ProgrammeVersion
from lms.core import verification
from lms.core.audit import record_event
from lms.core.errors import Refusal
from lms.core.holdings import holdings_changed
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.models import AuditEvent
from lms.core.time import lazy_date, utcnow
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.notifications.services import notify
from lms.plugins.manager import plugin_manager
from lms.progress.models import AuditStatus, ProgressSnapshot

log = logging.getLogger("lms.awards")

MENTIONS = {
    "passable": _l("Passable"),
    "assez_bien": _l("Assez bien"),
    "bien": _l("Bien"),
    "tres_bien": _l("Très bien"),
}


class AwardError(Refusal):
    """A decision that breaks a rule; the message is for people."""

    status = 422


class Conflict(AwardError):
    """A concurrent decision won the race (same enrolment or same certificate number)."""

    status = 409


class AlreadyAwarded(AwardError):
    """The learner already holds a valid award for this programme (any version)."""

    status = 409


class NotAllowed(Refusal):
    """The actor may not decide for this programme."""

    status = 403


@dataclass(frozen=True)
class Candidate:
    """Who a jury decision is about: a learner and the programme version they completed."""

    learner_id: int
    programme_version_id: int


def may_award(actor: User, programme: Programme) -> bool:
    """Administrators for every programme, a director for the programmes they direct."""
    return may_direct(actor, programme)


def may_see(actor: User, award: Award) -> bool:
    """The learner of the award, and whoever may award its programme."""
    enrolment = award.enrolment
    if enrolment.learner.user_id == actor.id:
        return True
    return may_award(actor, enrolment.programme_version.programme)


def new_verification_code() -> str:
    return verification.new_code()


def _next_sequence(prefix: str) -> int:
    """The next sequence number of ``prefix`` (``CODE-2026-``), from the numbers already given."""
    numbers = db.session.scalars(sa.select(Award.certificate_number).where(Award.certificate_number.like(prefix + "%")))
    highest = 0
    for number in numbers:
        tail = number[len(prefix) :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return highest + 1


def certificate_number(programme: Programme, decided_on: date) -> str:
    prefix = f"{programme.code}-{decided_on.year}-"
    return f"{prefix}{_next_sequence(prefix):04d}"


def _jury(text: str | None) -> str:
    jury = (text or "").strip()
    if not jury:
        raise AwardError(_("The jury is required."))
    if len(jury) > 500:
        raise AwardError(_("The jury is too long (500 characters at most)."))
    return jury


def _mention(value: str | None) -> str | None:
    if not value:
        return None
    if value not in MENTIONS:
        raise AwardError(_("Unknown mention."))
    return value


def _enrolment_for(learner: Learner, version: ProgrammeVersion, decided_on: date) -> Enrolment:
    enrolment = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.learner_id == learner.id, Enrolment.programme_version_id == version.id)
    )
    if enrolment is not None:
        if enrolment.status in (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.MOVED):
            raise AwardError(
                _(
                    "%(name)s is no longer enrolled in %(programme)s.",
                    name=learner.user.name,
                    programme=version.programme.code,
                )
            )
        return enrolment
    # A certificate earned on the way to another programme: enrol the learner now.
    enrolment = Enrolment(
        learner_id=learner.id, programme_version_id=version.id, status=EnrolmentStatus.ACTIVE, enrolled_on=decided_on
    )
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def grant_awards(
    actor: User, candidates: Iterable[Candidate], decided_on: date, jury: str, mention: str | None = None
) -> list[Award]:
    """Record one jury decision for several learners, all or nothing: raises :class:`AwardError`
    (naming every learner refused) or :class:`NotAllowed`; the caller rolls back."""
    jury = _jury(jury)
    mention = _mention(mention)
    candidates = list(dict.fromkeys(candidates))
    if not candidates:
        raise AwardError(_("Choose at least one learner."))
    if decided_on > utcnow().date():
        raise AwardError(_("The jury date cannot be in the future."))
    versions = {
        version.id: version
        for version in db.session.scalars(
            sa.select(ProgrammeVersion).where(ProgrammeVersion.id.in_({c.programme_version_id for c in candidates}))
        )
    }
    learners = {
        learner.id: learner
        for learner in db.session.scalars(sa.select(Learner).where(Learner.id.in_({c.learner_id for c in candidates})))
    }
    for candidate in candidates:
        version = versions.get(candidate.programme_version_id)
        if version is None or candidate.learner_id not in learners:
            raise AwardError(_("Unknown learner or programme."))
        if not may_award(actor, version.programme):
            raise NotAllowed(_("You do not direct this programme."))

    _refuse_second_awards(candidates, versions, learners)

    enrolments: dict[Candidate, Enrolment] = {}
    for candidate in candidates:
        enrolments[candidate] = _enrolment_for(
            learners[candidate.learner_id], versions[candidate.programme_version_id], decided_on
        )
    holdings_changed({c.learner_id for c in candidates}, "jury")  # the snapshots below are read now

    enrolment_ids = [enrolment.id for enrolment in enrolments.values()]
    snapshots = {
        row.enrolment_id: row
        for row in db.session.scalars(
            sa.select(ProgressSnapshot).where(ProgressSnapshot.enrolment_id.in_(enrolment_ids))
        )
    }
    already = set(db.session.scalars(sa.select(Award.enrolment_id).where(Award.enrolment_id.in_(enrolment_ids))))
    exams = queries.last_exams({c.learner_id for c in candidates})
    problems = []
    for candidate, enrolment in enrolments.items():
        name = learners[candidate.learner_id].user.name
        code = versions[candidate.programme_version_id].programme.code
        snapshot = snapshots.get(enrolment.id)
        if enrolment.id in already:
            problems.append(_("%(name)s already holds %(programme)s.", name=name, programme=code))
        elif snapshot is None or snapshot.status != AuditStatus.COMPLETE:
            problems.append(_("The audit of %(name)s for %(programme)s is not complete.", name=name, programme=code))
        else:
            problems += _before_exams(name, decided_on, snapshot, exams.get(candidate.learner_id, {}))
    if problems:
        raise AwardError(" ".join(problems))

    awards = []
    sequences: dict[str, int] = {}
    try:
        with db.session.begin_nested():
            for candidate, enrolment in enrolments.items():
                version = versions[candidate.programme_version_id]
                prefix = f"{version.programme.code}-{decided_on.year}-"
                sequences[prefix] = sequences.get(prefix) or _next_sequence(prefix)
                award = Award(
                    enrolment=enrolment,
                    learner_id=candidate.learner_id,
                    programme_id=version.programme_id,
                    decided_on=decided_on,
                    jury=jury,
                    mention=mention,
                    ects=version.nominal_ects,
                    certificate_number=f"{prefix}{sequences[prefix]:04d}",
                    verification_code=new_verification_code(),
                    decided_by_id=actor.id,
                )
                sequences[prefix] += 1
                enrolment.status = EnrolmentStatus.COMPLETED
                enrolment.ended_on = max(decided_on, enrolment.enrolled_on)
                db.session.add(award)
                awards.append(award)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        # A concurrent decision took the same enrolment, the same certificate number, or awarded
        # the same learner the same programme (the partial unique index).
        raise Conflict(_("Another decision was recorded at the same time. Check the list and try again.")) from error

    hook = plugin_manager().hook
    for award in awards:
        version = award.enrolment.programme_version
        notify(
            [award.enrolment.learner.user],
            "award_granted",
            _l("Diploma awarded: %(programme)s", programme=version.programme.code),
            _l(
                "The jury of %(date)s awarded you %(title)s. Your certificate can be downloaded.",
                date=lazy_date(decided_on),
                title=version.title,
            ),
            link=_link(award),
        )
        hook.lms_award_granted(award=award)
    return awards


def grant_award(
    actor: User, learner: Learner, version: ProgrammeVersion, decided_on: date, jury: str, mention: str | None = None
) -> Award:
    """One learner: see :func:`grant_awards`."""
    return grant_awards(actor, [Candidate(learner.id, version.id)], decided_on, jury, mention)[0]


def _refuse_second_awards(candidates, versions, learners) -> None:
    """:class:`AlreadyAwarded` when a candidate holds a valid award for the programme (any
    version), or is twice in the decision for one programme."""
    programme_of = {c: versions[c.programme_version_id].programme for c in candidates}
    held = set(
        db.session.execute(
            sa.select(Award.learner_id, Award.programme_id).where(
                Award.learner_id.in_({c.learner_id for c in candidates}),
                Award.programme_id.in_({p.id for p in programme_of.values()}),
                Award.revoked_at.is_(None),
            )
        )
    )
    problems, seen = [], set()
    for candidate in candidates:
        programme = programme_of[candidate]
        pair = (candidate.learner_id, programme.id)
        name = learners[candidate.learner_id].user.name
        if pair in held:
            problems.append(
                _(
                    "%(name)s already holds %(programme)s (one award per programme, whatever the version).",
                    name=name,
                    programme=programme.code,
                )
            )
        elif pair in seen:
            problems.append(
                _(
                    "%(name)s is listed twice for %(programme)s: one award per programme.",
                    name=name,
                    programme=programme.code,
                )
            )
        seen.add(pair)
    if problems:
        raise AlreadyAwarded(" ".join(problems))


def _before_exams(name: str, decided_on: date, snapshot: ProgressSnapshot, exams: dict[str, date]) -> list[str]:
    """The jury cannot sit before the last exam its decision counts."""
    dated = [(day, code) for code, day in exams.items() if code in queries.applied_units(snapshot.result or {})]
    if not dated:
        return []
    day, code = max(dated)
    if decided_on >= day:
        return []
    return [
        _(
            "The jury date (%(jury)s) is before the exam of %(unit)s (%(exam)s) counted for %(name)s.",
            jury=format_date(decided_on, format="long"),
            unit=code,
            exam=format_date(day, format="long"),
            name=name,
        )
    ]


def _link(award: Award) -> str | None:
    return url_for("awards.show", award_id=award.id) if has_request_context() else None


def revoke_award(actor: User, award: Award, reason: str) -> Award:
    """Revoke a certificate: the row is kept (when, by whom, why) and the event is logged."""
    if not may_award(actor, award.enrolment.programme_version.programme):
        raise NotAllowed(_("You do not direct this programme."))
    text = (reason or "").strip()
    if not text:
        raise AwardError(_("A reason is required."))
    if award.revoked_at is not None:
        raise AwardError(_("This certificate is already revoked."))
    award.revoked_at = utcnow()
    award.revoked_by_id = actor.id
    award.revoke_reason = text
    verification.revoke(CERTIFICATE, award.id, award.revoked_at)
    details = {"award_id": award.id, "certificate_number": award.certificate_number, "reason": text}
    event = getattr(AuditEvent, "AWARD_REVOKED", None)
    if event is not None:
        record_event(event, user_id=actor.id, details=details)
    log.warning("award revoked by user %s: %s", actor.id, details)
    db.session.flush()
    notify(
        [award.enrolment.learner.user],
        "award_revoked",
        _l("Certificate revoked: %(number)s", number=award.certificate_number),
        _l("Reason: %(reason)s", reason=text),
        link=_link(award),
    )
    return award
