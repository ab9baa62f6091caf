"""The lifecycle of an enrolment: which status may follow which, and the one way to change it.

An enrolment is active (in progress), suspended (paused, to be resumed), withdrawn, completed or
moved (to a newer version of the programme, by :func:`lms.intakes.services.enrolments.move_enrolment`).
A learner has at most one active enrolment per programme: the database refuses a second one (a
partial unique index), and the services say so first, in words. Every change leaves an
:class:`~lms.intakes.models.EnrolmentEvent` with its day and who made it; the enrolment is a
holdings source, so the flush re-audits the learner."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.i18n import gettext as _
from lms.extensions import db
from lms.intakes.models import ENDED, Enrolment, EnrolmentStatus, record_change
from lms.intakes.services import IntakeRuleError

S = EnrolmentStatus
# What may follow each status. A withdrawn or moved enrolment comes back only by enrolling the
# learner on its version again (it keeps its date and intake); a completed one stays completed.
TRANSITIONS: dict[EnrolmentStatus, frozenset[EnrolmentStatus]] = {
    S.ACTIVE: frozenset({S.SUSPENDED, S.WITHDRAWN, S.COMPLETED, S.MOVED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset({S.ACTIVE}),
    S.MOVED: frozenset({S.ACTIVE}),
    S.COMPLETED: frozenset(),
}
# The changes an administrator makes from the enrolment page (moves and re-enrolments have theirs).
STAFF_CHANGES = {
    S.ACTIVE: (S.SUSPENDED, S.WITHDRAWN),
    S.SUSPENDED: (S.ACTIVE, S.WITHDRAWN),
}
CURRENT = frozenset({S.ACTIVE, S.SUSPENDED})  # the learner's enrolment in the programme, paused or not


class TransitionRefused(IntakeRuleError):
    """The enrolment's status cannot go from its current value to the one asked."""

    status = 409


class AlreadyEnrolled(IntakeRuleError):
    """The learner already has an enrolment in progress (or suspended) in the programme."""

    status = 409
    field = "programme_version_id"


def status_text(status: EnrolmentStatus) -> str:
    from lms.intakes.labels import ENROLMENT_STATUS

    return str(ENROLMENT_STATUS[status])


def check_transition(enrolment: Enrolment, to: EnrolmentStatus) -> None:
    to = EnrolmentStatus(to)
    if to not in TRANSITIONS[enrolment.status]:
        raise TransitionRefused(
            _(
                "An enrolment cannot go from “%(before)s” to “%(after)s”.",
                before=status_text(enrolment.status),
                after=status_text(to),
            )
        )


def current_in_programme(learner_id: int, programme_id: int, but: int | None = None) -> Enrolment | None:
    """The learner's active or suspended enrolment in the programme (any version), ``but`` aside."""
    return db.session.scalar(
        sa.select(Enrolment)
        .where(
            Enrolment.learner_id == learner_id,
            Enrolment.programme_id == programme_id,
            Enrolment.status.in_(CURRENT),
            Enrolment.id != (but or -1),
        )
        .order_by(Enrolment.id)
        .limit(1)
    )


def refuse_second_enrolment(learner_id: int, programme_id: int, code: str, but: int | None = None) -> None:
    other = current_in_programme(learner_id, programme_id, but)
    if other is not None:
        version = other.programme_version
        raise AlreadyEnrolled(
            _(
                "The learner already has an enrolment in progress in %(code)s (version %(version)s, “%(status)s”): "
                "withdraw or move it first.",
                code=code,
                version=version.version,
                status=status_text(other.status),
            )
        )


def change_status(
    enrolment: Enrolment, to: EnrolmentStatus, on: date, actor: User | None, note: str | None = None
) -> Enrolment:
    """Move ``enrolment`` to status ``to`` on day ``on`` (``actor`` None: the system), if allowed."""
    to = EnrolmentStatus(to)
    check_transition(enrolment, to)
    if to is S.ACTIVE:
        refuse_second_enrolment(
            enrolment.learner_id, enrolment.programme_id, enrolment.programme_version.programme.code, but=enrolment.id
        )
    record_change(enrolment, on, actor.id if actor is not None else None, (note or "").strip() or None)
    enrolment.status = to
    enrolment.ended_on = max(on, enrolment.enrolled_on) if to in ENDED else None
    flush_one_active(enrolment.programme_version.programme.code)
    return enrolment


def flush_one_active(code: str) -> None:
    """Flush; a second active enrolment that a concurrent request made first (the database's
    partial unique index refuses it) is said in words, and only this flush is undone."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if "one_active_per_programme" not in str(error.orig) and "enrolments.learner_id" not in str(error.orig):
            raise
        raise AlreadyEnrolled(
            _("The learner already has an enrolment in progress in %(code)s: reload the page.", code=code)
        ) from error


def enrol(
    learner_id: int, version, on: date, actor: User | None, intake_id: int | None = None, note: str | None = None
) -> Enrolment:
    """Enrol the learner on ``version`` from day ``on``, refused when they already have an enrolment
    in progress (or suspended) in the programme. A withdrawn or moved enrolment on that very
    version comes back to life: it keeps its first date and its intake (a new intake replaces it),
    and its history says it was enrolled again."""
    code = version.programme.code
    existing = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.learner_id == learner_id, Enrolment.programme_version_id == version.id)
    )
    if existing is not None and existing.status in (CURRENT | {S.COMPLETED}):
        raise AlreadyEnrolled(_("The learner is already enrolled on this programme version."))
    refuse_second_enrolment(learner_id, version.programme_id, code)
    if existing is not None:
        change_status(existing, S.ACTIVE, on, actor, note or _("Enrolled again"))
        if intake_id is not None:
            existing.intake_id = intake_id
        flush_one_active(code)
        return existing
    enrolment = Enrolment(
        learner_id=learner_id,
        programme_version_id=version.id,
        programme_id=version.programme_id,
        intake_id=intake_id,
        status=S.ACTIVE,
        enrolled_on=on,
    )
    record_change(enrolment, on, actor.id if actor is not None else None, note)
    db.session.add(enrolment)
    flush_one_active(code)
    return enrolment
