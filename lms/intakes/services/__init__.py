"""Writes of the intakes area: intakes, applications and their decisions, enrolments. Services
flush, never commit: the request commits at its boundary, and any exception rolls everything back
(an acceptance, its enrolment, the learner profile, the audit and the notification go together)."""

from __future__ import annotations


class IntakeRuleError(ValueError):
    """A rule of this area was broken; ``message`` is for people, ``field`` names a form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(PermissionError):
    """The actor may not act on this intake, application or enrolment."""
