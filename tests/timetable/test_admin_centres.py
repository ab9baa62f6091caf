"""Centres: list with use counts, create and edit with checked code and time zone."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.timetable.models import Centre
from tests.helpers import client_for
from tests.timetable.test_admin_world import (
    BASE,
    build_admin_world,
    count,
    post_form,
)


@pytest.fixture
def world(app):
    return build_admin_world(app)


@pytest.fixture
def admin(app, world):
    return client_for(app, "admin@example.org")


@pytest.mark.sqlite_only
def test_list_shows_centres_with_their_offerings_and_no_delete(world, admin):
    page = admin.get(f"{BASE}/centres").text
    assert "Cnam Paris" in page and "America/Cayenne" in page
    assert f'href="/admin/timetable/offerings?centre={world.paris}"' in page
    assert "delete" not in page.lower().replace("cannot be deleted", "")


def test_create_a_centre(app, world, admin):
    response = post_form(
        admin,
        f"{BASE}/centres/new",
        {
            "code": "re974",
            "name": "Cnam La Réunion",
            "city": "Saint-Denis",
            "timezone": "Indian/Reunion",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        centre = db.session.scalar(sa.select(Centre).where(Centre.code == "RE974"))
        assert (centre.name, centre.timezone) == ("Cnam La Réunion", "Indian/Reunion")


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "P"}, "2 to 10 capital letters or digits"),
        ({"code": "PAR-1"}, "2 to 10 capital letters or digits"),
        ({"code": "PAR"}, "Another centre already has the code PAR"),
        ({"timezone": "Europe/Lutece"}, "Unknown time zone"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_bad_centres_are_refused(app, world, admin, changes, message):
    data = {
        "code": "LYO",
        "name": "Cnam Lyon",
        "city": "Lyon",
        "timezone": "Europe/Paris",
        **changes,
    }
    response = post_form(admin, f"{BASE}/centres/new", data)
    assert response.status_code == 422 and message in response.text
    assert count(app, Centre) == 2


def test_edit_a_centre_keeps_its_code_unique(app, world, admin):
    path = f"{BASE}/centres/{world.cayenne}/edit"
    assert 'value="CAY"' in admin.get(path).text
    refused = post_form(
        admin,
        path,
        {"code": "PAR", "name": "x", "city": "y", "timezone": "America/Cayenne"},
    )
    assert refused.status_code == 422 and "Another centre already has the code PAR" in refused.text
    response = post_form(
        admin,
        path,
        {
            "code": "CAY",
            "name": "Cnam Guyane",
            "city": "Kourou",
            "timezone": "America/Cayenne",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Centre, world.cayenne).city == "Kourou"
