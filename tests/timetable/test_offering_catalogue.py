"""The learners' catalogue of offerings: filters, places and waiting list, the window, where a unit
fits in the learner's programmes, paging, access, and a statement count that does not grow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.accounts.models import Role
from lms.core.time import academic_year, utcnow
from lms.extensions import db
from lms.timetable.models import Modality, Semester
from lms.timetable.queries.programme_fit import Group, unit_groups
from tests.helpers import client_for, count_statements, make_user
from tests.timetable.test_registrations import (
    add_offering,
    build_world,
    do_register,
)

TODAY = utcnow().date()
YEAR = academic_year(TODAY)
OPEN = {"opens": TODAY - timedelta(days=10), "closes": TODAY + timedelta(days=10)}


def rows(html: str) -> list[str]:
    """The text of each body row of the offerings table (without the column names that each cell
    repeats for the phone layout)."""
    found = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S)
    body = re.sub(r'<span class="cell-label"[^>]*>[^<]*</span>', "", found.group(1)) if found else ""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in re.split(r"<tr\b[^>]*>", body)[1:]]


# --- where a unit fits (pure) -------------------------------------------------------------------------


def test_unit_groups_names_the_group_holding_each_unit():
    tree = {
        "all": [
            {"unit": "NFA031"},
            {"label": "Tronc commun", "all": [{"unit": "NFA032"}, {"unit": "NFA033"}]},
            {"label": "Options", "choose": 1, "of": [{"unit": "GDN100"}, {"credits": 6, "of": [{"unit": "ESD100"}]}]},
        ]
    }
    groups = unit_groups(tree)
    assert groups["NFA031"] == Group("all", None, 3, top=True)
    assert groups["NFA032"] == Group("all", "Tronc commun", 2)
    assert groups["GDN100"] == Group("choose", "Options", 2, choose=1)
    assert groups["ESD100"] == Group("credits", "Options", 1, credits=6)  # inherits the nearest label


# --- the page ------------------------------------------------------------------------------------------


def test_catalogue_lists_offerings_with_places_window_and_programme_fit(app):
    world = build_world(app, learners=3)
    full = add_offering(app, world, "NFA031", capacity=1, **OPEN)
    add_offering(
        app, world, "NFA032", capacity=10, modality=Modality.FOAD, opens=TODAY + timedelta(days=3), closes=None
    )
    add_offering(app, world, "NFA033", modality=Modality.HYBRIDE_JOUR, semester=Semester.S2, **OPEN)
    add_offering(app, world, "GDN100", modality=Modality.PRESENTIEL_JOUR, year=YEAR + 1, **OPEN)
    add_offering(app, world, "GDN100", modality=Modality.PRESENTIEL_JOUR, year=YEAR - 1, **OPEN)  # not shown
    do_register(app, world.learners[1], full, today=TODAY)
    do_register(app, world.learners[2], full, today=TODAY)

    client = client_for(app, world.learners[0])
    page = client.get("/offerings")
    assert page.status_code == 200
    lines = rows(page.text)
    assert len(lines) == 4
    nfa031, nfa032, nfa033, gdn100 = (
        next(line for line in lines if code in line) for code in ("NFA031", "NFA032", "NFA033", "GDN100")
    )
    assert "Full" in nfa031 and "1 on the waiting list" in nfa031 and "Join the waiting list" in nfa031
    assert "LG025: a required unit" in nfa031
    assert "10 places left" in nfa032 and "Opens on" in nfa032 and "Register" not in nfa032
    assert "LG025: one of the choices of “Options” (choose 1 of 2)" in nfa032
    assert "LG025: via equivalence (counts as NFA035)" in nfa033
    assert "Not in your programmes" in gdn100 and "No limit" in gdn100


def test_filters(app):
    world = build_world(app)
    add_offering(app, world, "NFA031", modality=Modality.PRESENTIEL_SOIR, **OPEN)
    add_offering(app, world, "NFA032", modality=Modality.FOAD, **OPEN)
    add_offering(app, world, "NFA033", modality=Modality.HYBRIDE_JOUR, semester=Semester.S2, **OPEN)
    add_offering(app, world, "GDN100", modality=Modality.PRESENTIEL_JOUR, year=YEAR + 1, **OPEN)
    client = client_for(app, world.learners[0])

    def codes(query: str) -> set[str]:
        page = client.get(f"/offerings?{query}")
        assert page.status_code == 200
        return {re.match(r"(\w+)", line).group(1) for line in rows(page.text)}

    assert codes("") == {"NFA031", "NFA032", "NFA033", "GDN100"}
    assert codes("evening=y") == {"NFA031"}
    assert codes("distance=y") == {"NFA032", "NFA033"}  # hybrid counts as partly distance
    assert codes("evening=y&distance=y") == set()
    assert codes("semester=S2") == {"NFA033"}
    assert codes(f"year={YEAR + 1}") == {"GDN100"}
    assert codes("modality=foad") == {"NFA032"}
    assert codes("programme=mine") == {"NFA031", "NFA032", "NFA033"}
    assert codes("programme=LG025&distance=y") == {"NFA032", "NFA033"}
    # values outside the choices are ignored, never an error
    assert codes("modality=nonsense&year=abc&centre=x&page=-3") == {"NFA031", "NFA032", "NFA033", "GDN100"}


def test_programme_filter_on_a_programme_the_learner_is_not_enrolled_in(app):
    world = build_world(app)
    add_offering(app, world, "NFA031", **OPEN)
    add_offering(app, world, "GDN100", **OPEN)
    client = client_for(app, world.learners[1])  # enrolled in nothing
    page = client.get("/offerings?programme=LG025")
    assert page.status_code == 200
    lines = rows(page.text)
    assert len(lines) == 1 and "NFA031" in lines[0] and "LG025: a required unit" in lines[0]


def test_paging(app):
    world = build_world(app)
    for semester in Semester:
        for modality in Modality:
            add_offering(app, world, "NFA031", semester=semester, modality=modality, **OPEN)
    client = client_for(app, world.learners[0])
    first = client.get("/offerings")
    assert len(rows(first.text)) == 21 and "page 1 of 1" in first.text
    from lms.timetable.views import learner as views

    views.PER_PAGE, saved = 10, views.PER_PAGE
    try:
        page = client.get("/offerings?page=3&evening=")
        assert len(rows(page.text)) == 1 and "page 3 of 3" in page.text
        assert "page=2" in page.text
    finally:
        views.PER_PAGE = saved


def test_statement_count_does_not_grow_with_the_offerings(app):
    world = build_world(app, learners=3)
    client = client_for(app, world.learners[0])
    add_offering(app, world, "NFA031", capacity=1, **OPEN)
    client.get("/offerings")  # warm-up
    with count_statements(app) as few:
        assert client.get("/offerings?programme=mine").status_code == 200
    for code in ("NFA032", "NFA033", "GDN100"):
        for modality in (Modality.FOAD, Modality.PRESENTIEL_SOIR, Modality.HYBRIDE_JOUR):
            offering = add_offering(app, world, code, modality=modality, capacity=2, **OPEN)
            do_register(app, world.learners[1], offering, today=TODAY) if modality is Modality.FOAD else None
    with count_statements(app) as many:
        page = client.get("/offerings?programme=mine")
        assert page.status_code == 200 and len(rows(page.text)) == 7
    assert len(many) == len(few)
    assert len(many) <= 14


@pytest.mark.sqlite_only
@pytest.mark.parametrize("role", [Role.TUTOR, Role.ADMIN, Role.DIRECTOR])
def test_staff_without_a_learner_profile_are_refused(app, role):
    make_user(app, "staff@example.org", [role])
    client = client_for(app, "staff@example.org")
    for path in ("/offerings", "/timetable", "/timetable/list", "/calendar"):
        assert client.get(path).status_code == 403, path


@pytest.mark.sqlite_only
def test_anonymous_is_sent_to_login(client):
    response = client.get("/offerings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.sqlite_only
def test_navigation_shows_the_learner_items(app):
    world = build_world(app)
    client = client_for(app, world.learners[0])
    home = client.get("/").text
    assert 'href="/offerings"' in home and 'href="/timetable"' in home
    make_user(app, "tutor@example.org", [Role.TUTOR])
    tutor = client_for(app, "tutor@example.org").get("/").text
    assert 'href="/offerings"' not in tutor


def test_a_unit_already_validated_is_marked_and_offers_no_registration(app):
    from datetime import date

    from lms.results.models import Credit, CreditSource
    from tests.timetable.test_registrations import learner_of

    world = build_world(app)
    add_offering(app, world, "NFA031", **OPEN)
    add_offering(app, world, "NFA032", **OPEN)
    with app.app_context():
        db.session.add(
            Credit(
                learner_id=learner_of(world.learners[0]).id,
                unit_id=world.units["NFA031"],
                source=CreditSource.DISPENSE,
                granted_on=date(2025, 1, 1),
            )
        )
        db.session.commit()
    lines = rows(client_for(app, world.learners[0]).get("/offerings").text)
    nfa031 = next(line for line in lines if "NFA031" in line)
    nfa032 = next(line for line in lines if "NFA032" in line)
    assert "Already validated" in nfa031 and "Register" not in nfa031
    assert "Already validated" not in nfa032 and "Register" in nfa032
