"""Administrators' timetable pages: admins only; anonymous visitors are sent to the login page."""

from __future__ import annotations

import pytest

from tests.helpers import client_for
from tests.timetable.test_admin_world import BASE, build_admin_world

pytestmark = pytest.mark.sqlite_only  # access rules of pages only


def pages(world) -> list[str]:
    return [
        f"{BASE}/centres",
        f"{BASE}/centres/new",
        f"{BASE}/centres/{world.paris}/edit",
        f"{BASE}/offerings",
        f"{BASE}/offerings/new",
        f"{BASE}/offerings/{world.offering}/edit",
        f"{BASE}/offerings/copy",
        f"{BASE}/offerings/{world.offering}/meetings",
        f"{BASE}/offerings/{world.offering}/meetings/new",
        f"{BASE}/offerings/{world.offering}/meetings/generate",
    ]


@pytest.fixture
def world(app):
    return build_admin_world(app)


def test_anonymous_is_sent_to_login(app, world):
    client = app.test_client()
    for path in pages(world):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path


@pytest.mark.parametrize("email", ["learner.a@example.org", "tutor@example.org"])
def test_learners_and_tutors_are_refused(app, world, email):
    client = client_for(app, email)
    for path in pages(world):
        assert client.get(path).status_code == 403, path
    assert 'href="/admin/timetable/offerings"' not in client.get("/").text


def test_admin_opens_every_page_and_sees_the_nav_items(app, world):
    client = client_for(app, "admin@example.org")
    for path in pages(world):
        assert client.get(path).status_code == 200, path
    home = client.get("/").text
    assert 'href="/admin/timetable/offerings"' in home and 'href="/admin/timetable/centres"' in home


def test_unknown_objects_are_404(app, world):
    client = client_for(app, "admin@example.org")
    for path in (
        f"{BASE}/centres/999/edit",
        f"{BASE}/offerings/999/edit",
        f"{BASE}/offerings/999/meetings",
        f"{BASE}/offerings/999/meetings/generate",
        f"{BASE}/meetings/999/edit",
        f"{BASE}/meetings/999/cancel",
    ):
        assert client.get(path).status_code == 404, path
