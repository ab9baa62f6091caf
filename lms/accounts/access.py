"""The learner a view works on: the signed-in learner's own profile, or a learner named by number."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from lms.accounts.models import Learner
from lms.accounts.queries import learner_by_number
from lms.core.access import deny_unless


def own_learner() -> Learner:
    """The signed-in user's learner profile: staff without one are refused (403)."""
    learner = current_user.learner
    deny_unless(learner is not None)
    return learner


def learner_or_404(number: str) -> Learner:
    """The learner with this number (trimmed, case-insensitive), else 404."""
    learner = learner_by_number(number)
    if learner is None:
        abort(404)
    return learner
