"""The refusals of grade sheets and corrections: the three that point at a form field share one
shape (422, their field by default, a field given when raised wins)."""

from __future__ import annotations

import pytest

from lms.core.errors import Refusal
from lms.results import services


@pytest.mark.parametrize(
    ("refusal", "field"),
    [
        (services.CorrectionRefused, "grade"),
        (services.PublicationTooEarly, "confirm_early"),
        (services.JuryBeforeExam, "jury_on"),
    ],
)
def test_a_field_refusal_is_a_422_on_its_own_field(refusal, field):
    raised = refusal("Why not.")
    assert isinstance(raised, Refusal)
    assert (raised.status, raised.field, str(raised)) == (422, field, "Why not.")
    assert refusal("Why not.", "reason").field == "reason"  # as correct_result says of a missing reason


def test_field_refusals_stay_apart():
    """The pages tell them apart (a too early publication keeps the confirmation ticked)."""
    assert not issubclass(services.PublicationTooEarly, services.CorrectionRefused)
    assert not isinstance(services.JuryBeforeExam("x"), services.PublicationTooEarly)
