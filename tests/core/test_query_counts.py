"""SQL statements per page do not grow with the data (DESIGN.md, quality bars)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from tests.helpers import client_for, page_statements


def statements_for(app, email: str, path: str = "/") -> int:
    return page_statements(app, client_for(app, email, DEMO_PASSWORD), path)


@pytest.mark.sqlite_only
def test_home_pages_issue_the_same_statements_for_small_and_large_records(demo_app):
    with demo_app.app_context():
        rows = db.session.execute(
            sa.text(
                "SELECT u.email, COUNT(r.id) AS n FROM users u JOIN learners l ON l.user_id = u.id "
                "JOIN registrations r ON r.learner_id = l.id GROUP BY u.email ORDER BY n"
            )
        ).all()
    smallest, largest = rows[0].email, rows[-1].email
    assert rows[-1].n >= 5 * rows[0].n
    assert statements_for(demo_app, smallest) == statements_for(demo_app, largest)
    # the tutor and director pages are bounded too (one statement per panel, not per row, plus the
    # session, the roles and the unread-notification count)
    assert statements_for(demo_app, "enseignant@example.org") <= 5
    assert statements_for(demo_app, "directeur@example.org") <= 5
    assert statements_for(demo_app, "admin@example.org", "/catalog/programmes") <= 5
