"""Writes of the intakes area: intakes, applications and their decisions, enrolments. Services
flush, never commit: the request commits at its boundary, and any exception rolls everything back
(an acceptance, its enrolment, the learner profile, the audit and the notification go together)."""

from __future__ import annotations

from lms.core.errors import Refusal


class IntakeRuleError(Refusal):
    """A rule of this area was broken; ``message`` is for people, ``field`` names a form field."""

    status = 422


class NotAllowed(Refusal):
    """The actor may not act on this intake, application or enrolment."""

    status = 403
