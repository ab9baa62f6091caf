"""Applications: a candidate's draft and submission, and the reviewers' decisions.

Accepting an application creates, in the same transaction, the learner profile when the candidate
has none (with the learner role), the enrolment on the intake's programme version, a fresh audit
of the learner, the candidate's notification and the ``lms_application_decided`` event: if any
step fails, nothing is kept. Capacity is enforced on acceptance (the intake row is locked first so
two reviewers cannot both take the last place); a full intake sends candidates to the waiting list.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import LazyString

from lms.accounts import services as accounts
from lms.accounts.models import Funding, Learner, Role, User
from lms.catalog.directors import may_direct
from lms.core.holdings import holdings_changed
from lms.core.i18n import gettext as _
from lms.core.i18n import lazy_gettext as _l
from lms.core.time import lazy_date, utcnow
from lms.extensions import db
from lms.intakes.models import (
    Application,
    ApplicationStatus,
    Enrolment,
    EnrolmentStatus,
    Intake,
)
from lms.intakes.services import IntakeRuleError, NotAllowed, lifecycle
from lms.intakes.services.intakes import is_open
from lms.notifications.services import notify
from lms.plugins.manager import plugin_manager


class Decision(enum.StrEnum):
    ACCEPT = "accept"
    WAITLIST = "waitlist"
    REJECT = "reject"


DECISION_STATUS = {
    Decision.ACCEPT: ApplicationStatus.ACCEPTED,
    Decision.WAITLIST: ApplicationStatus.WAITLISTED,
    Decision.REJECT: ApplicationStatus.REJECTED,
}
# Which statuses each decision may follow.
DECIDABLE = {
    Decision.ACCEPT: {ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED},
    Decision.WAITLIST: {ApplicationStatus.SUBMITTED},
    Decision.REJECT: {ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED},
}
NOTIFICATION_TITLE = {
    Decision.ACCEPT: _l("Your application has been accepted"),
    Decision.WAITLIST: _l("Your application is on the waiting list"),
    Decision.REJECT: _l("Your application has not been accepted"),
}
WITHDRAWABLE = {
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.ACCEPTED,
}


@dataclass(frozen=True)
class ApplicationInput:
    prior_level: int | None
    diplomas: str | None
    current_job: str | None
    years_experience: int | None
    funding: Funding | None
    vapp_requested: bool


# --- rules -----------------------------------------------------------------------------------------


def below_entry_level(prior_level: int | None, entry_level: int | None) -> bool:
    """True when the candidate's RNCP level is known and lower than the programme's entry level."""
    return entry_level is not None and prior_level is not None and prior_level < entry_level


def is_flagged(application: Application) -> bool:
    """The automatic entry-level check: below the entry level without a VAPP request."""
    return below_entry_level(application.prior_level, application.intake.programme_version.entry_level) and not (
        application.vapp_requested
    )


def may_review(user: User, intake: Intake) -> bool:
    """Administrators review every intake; a director the intakes of the programmes they direct."""
    return may_direct(user, intake.programme_version.programme)


def accepted_count(intake_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Application.id)).where(
                Application.intake_id == intake_id, Application.status == ApplicationStatus.ACCEPTED
            )
        )
        or 0
    )


def places_left(intake: Intake) -> int | None:
    """Free places (never negative), or None when the intake has no capacity limit."""
    if intake.capacity is None:
        return None
    return max(intake.capacity - accepted_count(intake.id), 0)


def oldest_waitlisted(intake: Intake) -> Application | None:
    return db.session.scalar(
        sa.select(Application)
        .where(Application.intake_id == intake.id, Application.status == ApplicationStatus.WAITLISTED)
        .order_by(Application.submitted_at, Application.id)
        .limit(1)
    )


# --- candidates ------------------------------------------------------------------------------------


def sign_up(name: str, email: str, locale: str = "fr") -> None:
    """A new person's account, with no role yet (they become a learner when accepted); they choose
    their password from the mailed link. An address that already has an account changes nothing
    visible: its owner is mailed instead (see :func:`lms.accounts.services.sign_up`)."""
    if not (name or "").strip():
        raise IntakeRuleError(_("Enter your name."), "name")
    accounts.sign_up(email, name, locale)


def start_application(candidate: User, intake: Intake, today: date) -> Application:
    """The candidate's application to ``intake``: their existing one, or a new draft."""
    existing = db.session.scalar(
        sa.select(Application).where(Application.candidate_id == candidate.id, Application.intake_id == intake.id)
    )
    if existing is not None:
        return existing
    if not is_open(intake, today):
        raise IntakeRuleError(_("Applications to this intake are closed."))
    application = Application(candidate=candidate, intake=intake, status=ApplicationStatus.DRAFT)
    db.session.add(application)
    db.session.flush()
    return application


def save_application(application: Application, data: ApplicationInput) -> Application:
    """Update a draft."""
    if application.status is not ApplicationStatus.DRAFT:
        raise IntakeRuleError(_("A submitted application can no longer be changed."))
    if data.prior_level is not None and not 1 <= data.prior_level <= 8:
        raise IntakeRuleError(_("Choose a level between 1 and 8."), "prior_level")
    if data.years_experience is not None and data.years_experience < 0:
        raise IntakeRuleError(_("The years of experience cannot be negative."), "years_experience")
    application.prior_level = data.prior_level
    application.diplomas = (data.diplomas or "").strip() or None
    application.current_job = (data.current_job or "").strip()[:200] or None
    application.years_experience = data.years_experience
    application.funding = data.funding
    # A VAPP request only makes sense below the entry level.
    application.vapp_requested = bool(data.vapp_requested) and below_entry_level(
        data.prior_level, application.intake.programme_version.entry_level
    )
    db.session.flush()
    return application


def submit_application(application: Application, today: date) -> Application:
    if application.status is not ApplicationStatus.DRAFT:
        raise IntakeRuleError(_("This application has already been submitted."))
    if not is_open(application.intake, today):
        raise IntakeRuleError(_("Applications to this intake are closed."))
    if application.prior_level is None:
        raise IntakeRuleError(_("Give your current level before submitting."), "prior_level")
    if application.funding is None:
        raise IntakeRuleError(_("Say how your studies will be funded before submitting."), "funding")
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = utcnow()
    db.session.flush()
    return application


def withdraw_application(application: Application, today: date) -> Application:
    """The candidate withdraws. An accepted candidate's enrolment from this intake ends too, and the
    place it frees can go to the oldest waitlisted candidate (the reviewers see a notice)."""
    if application.status not in WITHDRAWABLE:
        raise IntakeRuleError(_("This application can no longer be withdrawn."))
    if application.status is ApplicationStatus.ACCEPTED:
        learner = application.candidate.learner
        if learner is not None:
            enrolment = db.session.scalar(
                sa.select(Enrolment).where(
                    Enrolment.learner_id == learner.id,
                    Enrolment.intake_id == application.intake_id,
                    Enrolment.status.in_(lifecycle.CURRENT),
                )
            )
            if enrolment is not None:
                lifecycle.change_status(
                    enrolment, EnrolmentStatus.WITHDRAWN, today, application.candidate, _("Application withdrawn")
                )
    application.status = ApplicationStatus.WITHDRAWN
    db.session.flush()
    return application


# --- reviewers -------------------------------------------------------------------------------------


def _application_link(application: Application) -> str:
    if has_request_context():
        return url_for("intakes_candidate.application", application_id=application.id)
    return f"/applications/{application.id}"


def _lock_intake(intake: Intake) -> None:
    """Take the write lock on the intake's row with a no-op UPDATE before counting the accepted
    candidates: PostgreSQL keeps the row locked until the transaction ends; on SQLite the UPDATE
    opens the write transaction (writers are serialised, the busy timeout makes the other wait).
    Two reviewers cannot both give away the last place."""
    db.session.execute(
        sa.update(Intake)
        .where(Intake.id == intake.id)
        .values(capacity=Intake.capacity)
        .execution_options(synchronize_session=False)
    )


def decide(
    actor: User, applications: Sequence[Application], decision: Decision, reason: str | None, today: date
) -> list[Application]:
    """Decide on several applications of one intake at once, all or nothing."""
    decision = Decision(decision)
    if not applications:
        raise IntakeRuleError(_("Choose at least one application."))
    intakes = {application.intake_id for application in applications}
    if len(intakes) != 1:
        raise IntakeRuleError(_("Decide on the applications of one intake at a time."))
    intake = applications[0].intake
    if not may_review(actor, intake):
        raise NotAllowed(_("You do not review the applications of this programme."))
    text = (reason or "").strip() or None
    if decision is Decision.REJECT and not text:
        raise IntakeRuleError(_("Give the reason of a rejection: the candidate reads it."), "reason")
    for application in applications:
        if application.status not in DECIDABLE[decision]:
            raise IntakeRuleError(
                _(
                    "The application of %(name)s cannot be decided this way now (it is %(status)s).",
                    name=application.candidate.name,
                    status=_status_text(application.status),
                )
            )
    if decision is Decision.ACCEPT:
        for application in applications:
            if is_flagged(application):
                raise IntakeRuleError(
                    _(
                        "%(name)s is below the programme's entry level and asked for no VAPP: waitlist or reject.",
                        name=application.candidate.name,
                    )
                )
        _lock_intake(intake)
        left = places_left(intake)
        if left is not None and len(applications) > left:
            raise IntakeRuleError(
                _(
                    "Only %(left)d place(s) left in this intake (capacity %(capacity)d): put the others on the waiting list.",
                    left=left,
                    capacity=intake.capacity,
                )
            )
    now = utcnow()
    learner_ids: list[int] = []
    for application in applications:
        application.status = DECISION_STATUS[decision]
        application.decided_at = now
        application.decided_by_id = actor.id
        application.decision_reason = text
        if decision is Decision.ACCEPT:
            learner_ids.append(_enrol_candidate(application, today, actor).id)
    db.session.flush()
    holdings_changed(learner_ids, "application accepted")
    for application in applications:
        programme = application.intake.programme_version
        body = _l(
            "%(programme)s — %(title)s, starting on %(start)s.",
            programme=programme.programme.code,
            title=programme.title,
            start=lazy_date(application.intake.starts_on),
        )
        if text:  # the director's own words, as written
            body = LazyString("{} {}".format, body, text)
        notify(
            [application.candidate],
            "application_decided",
            NOTIFICATION_TITLE[decision],
            body,
            _application_link(application),
        )
        plugin_manager().hook.lms_application_decided(application=application)
    return list(applications)


def _enrol_candidate(application: Application, today: date, actor: User) -> Learner:
    """The learner profile (created with the learner role when needed) and the active enrolment."""
    user = application.candidate
    if Role.LEARNER not in user.roles:
        accounts.grant_role(user, Role.LEARNER, actor_id=actor.id)  # creates the profile too
    if user.learner is None:  # the role was held without a profile
        db.session.add(Learner(user=user, learner_number=accounts.next_learner_number()))
        db.session.flush()
    learner = user.learner
    try:
        lifecycle.enrol(learner.id, application.intake.programme_version, today, actor, intake_id=application.intake_id)
    except lifecycle.AlreadyEnrolled as refusal:
        raise lifecycle.AlreadyEnrolled(
            _("%(name)s cannot be enrolled: %(reason)s", name=user.name, reason=refusal.message), field=""
        ) from refusal
    return learner


def _status_text(status: ApplicationStatus) -> str:
    from lms.intakes.labels import APPLICATION_STATUS

    return str(APPLICATION_STATUS[status])
