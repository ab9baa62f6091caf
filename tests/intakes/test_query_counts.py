"""The intakes pages issue the same number of SQL statements whatever the number of rows."""

from __future__ import annotations

import pytest

from tests.helpers import client_for, count_statements
from tests.intakes.world import build_world, submitted_application


def statements(app, client, path: str) -> int:
    client.get(path)  # warm-up
    with count_statements(app) as seen:
        assert client.get(path).status_code == 200
    return len(seen)


@pytest.mark.sqlite_only
def test_queue_and_lists_do_not_grow_with_the_applications(app):
    world = build_world(app)
    submitted_application(app, "candidate1@example.org", world.master_intake)
    admin = client_for(app, "admin@example.org")
    paths = [f"/admin/intakes/{world.master_intake}", "/admin/intakes/"]
    few = [statements(app, admin, path) for path in paths]
    for index in (2, 3, 4):
        submitted_application(app, f"candidate{index}@example.org", world.master_intake, prior_level=5)
    many = [statements(app, admin, path) for path in paths]
    assert few == many
    candidate = client_for(app, "candidate1@example.org")
    one = statements(app, candidate, "/intakes")
    submitted_application(app, "candidate1@example.org", world.certificate_intake)
    assert statements(app, candidate, "/intakes") == one
    assert statements(app, candidate, "/applications") <= one + 1


def test_the_intake_list_is_paged(app, monkeypatch):
    import sqlalchemy as sa

    from lms.accounts.models import User
    from lms.extensions import db
    from lms.intakes import queries

    build_world(app)
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
        everything = queries.reviewable_intakes(admin, per_page=1000)
        assert everything.total >= 2
        first, second = queries.reviewable_intakes(admin, 1, 1), queries.reviewable_intakes(admin, 2, 1)
        assert [line.intake.id for line in first.rows + second.rows] == [line.intake.id for line in everything.rows[:2]]
        assert queries.reviewable_intakes(admin, 999, 1).page == everything.total  # clamped to the last
    page = client_for(app, "admin@example.org").get("/admin/intakes/?page=abc")
    assert page.status_code == 200
