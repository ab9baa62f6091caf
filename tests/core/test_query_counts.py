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


def _grow(app, prefix: str, n: int) -> None:
    """``n`` more learners named Dupont (found by the searches) and ``n`` more offerings."""
    from datetime import date

    from lms.accounts.models import Learner, User
    from lms.timetable.models import Offering

    with app.app_context():
        model = db.session.scalar(sa.select(Offering).order_by(Offering.id).limit(1))
        units = list(db.session.scalars(sa.select(Offering.unit_id).distinct().order_by(Offering.unit_id)))
        for index in range(n):
            user = User(email=f"{prefix}{index}@example.org", name=f"Dupont {prefix.upper()} {index}")
            db.session.add(user)
            db.session.flush()
            db.session.add(Learner(user_id=user.id, learner_number=f"9{prefix[0]}{index:04d}".upper()))
            db.session.add(
                Offering(
                    unit_id=units[index % len(units)],
                    academic_year=2040 + (0 if prefix == "a" else 10) + index // len(units),
                    semester=model.semester,
                    modality=model.modality,
                    centre_id=model.centre_id,
                    registration_opens_on=date(2030, 1, 1),
                )
            )
        db.session.commit()


ADMIN_PAGES = [
    "/",  # the overview counts
    "/admin/accounts/",
    "/admin/accounts/?q=dupont",
    "/admin/accounts/?q=du",  # a short word: the prefix match
    "/admin/accounts/?q=9A0",  # learner numbers
    "/learners/?q=dupont",
    "/admin/timetable/offerings",
    "/admin/timetable/offerings?page=2",
    "/reports/time-to-diploma",
    "/reports/intakes",
    "/reports/dropouts",
]


def test_admin_lists_searches_and_reports_issue_the_same_statements_at_two_sizes(demo_app):
    """The searches (trigram indexes), the paged lists (counted a few pages ahead) and the reports
    (summaries) at two data sizes: the same statements."""
    _grow(demo_app, "a", 5)
    few = {path: statements_for(demo_app, "admin@example.org", path) for path in ADMIN_PAGES}
    _grow(demo_app, "b", 120)
    many = {path: statements_for(demo_app, "admin@example.org", path) for path in ADMIN_PAGES}
    assert many == few
