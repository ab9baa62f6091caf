"""The public catalogue and the open intakes: anyone browses them, before and after signing up;
nothing personal and no enrolment counts are shown."""

from __future__ import annotations

import pytest

from tests.helpers import client_for, use_language
from tests.intakes.world import build_world

pytestmark = pytest.mark.sqlite_only


def test_anonymous_visitors_browse_programmes_and_open_intakes(app):
    world = build_world(app)
    client = app.test_client()
    use_language(client, "en")
    programmes = client.get("/programmes/")
    assert programmes.status_code == 200
    assert 'href="/programmes/MR12202A"' in programmes.text and 'href="/programmes/CC0400A"' in programmes.text
    assert 'href="/intakes"' in programmes.text
    master = client.get("/programmes/MR12202A")
    assert master.status_code == 200
    # The newest version, its units, and nothing about enrolments.
    assert "version 2025" in master.text and "NFA003" in master.text and "NFA002" not in master.text
    assert "enrolments" not in master.text.lower()
    assert client.get("/programmes/NOPE").status_code == 404
    intakes = client.get("/intakes")
    assert intakes.status_code == 200
    assert "Master informatique" in intakes.text and "Certificat" in intakes.text
    assert 'href="/signup"' in intakes.text and 'href="/programmes/MR12202A"' in intakes.text
    assert "My applications" not in intakes.text
    # Applying still needs an account.
    apply = client.get(f"/intakes/{world.master_intake}/apply")
    assert apply.status_code == 302 and apply.headers["Location"].startswith("/login")
    login_page = client.get("/login")
    assert 'href="/programmes/"' in login_page.text and 'href="/intakes"' in login_page.text


def test_a_candidate_reaches_the_same_pages_from_their_own(app):
    build_world(app)
    client = client_for(app, "candidate1@example.org")
    home = client.get("/")
    assert 'href="/programmes/"' in home.text and 'href="/intakes"' in home.text
    intakes = client.get("/intakes")
    assert intakes.status_code == 200 and "My applications" in intakes.text and 'href="/signup"' not in intakes.text
    assert client.get("/programmes/CC0400A").status_code == 200


def test_staff_keep_their_own_programme_pages_in_the_navigation(app):
    build_world(app)
    client = client_for(app, "admin@example.org")
    home = client.get("/")
    assert 'href="/catalog/programmes"' in home.text and 'href="/programmes/"' not in home.text
