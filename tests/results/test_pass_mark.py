"""One pass mark: the sheets, the results' services and the learner's history read the pure
audit's own constant, so that they cannot drift apart."""

from __future__ import annotations

from decimal import Decimal

from lms.progress import history
from lms.progress.audit.catalogue import DEFAULT_MARK
from lms.results import queries, services


def test_results_and_history_use_the_audit_pass_mark():
    assert DEFAULT_MARK == Decimal(10)
    assert queries.PASS_MARK is DEFAULT_MARK
    assert services.PASS_MARK is DEFAULT_MARK
    assert history.PASS_MARK is DEFAULT_MARK
