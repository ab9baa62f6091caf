"""French agreement where a count decides the word: "Choisir 1 élément", "Choisir 3 éléments",
"1 place libre", "1 notification marquée comme lue"; a level written once ("niveau 5", not
"niveau Niveau 5")."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale

from tests.helpers import client_for, csrf_token, make_user

TREE = '{% from "progress/_audit_tree.html" import group_rule %}{{ group_rule(node) }}'


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "node, shown",
    [
        ({"kind": "choose", "choose": 1, "children": [{}, {}, {}]}, "Choisir 1 élément parmi les 3 suivants."),
        ({"kind": "choose", "choose": 3, "children": [{}] * 5}, "Choisir 3 éléments parmi les 5 suivants."),
        (
            {"kind": "choose", "choose": 1, "credits": 6, "children": [{}, {}]},
            "Choisir 1 élément parmi les 2 suivants, pour au moins 6 crédits ECTS.",
        ),
    ],
)
def test_audit_tree_choice_agrees_with_its_count(app, node, shown):
    with app.test_request_context(), force_locale("fr"):
        assert render_template_string(TREE, node=node).strip() == shown


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "template, values, shown",
    [
        (
            "catalog/programmes.html",
            {"lines": [], "unit_count": 1},
            "0 version de formation, 1 unité dans le catalogue.",
        ),
        ("catalog/programmes.html", {"lines": [], "unit_count": 12}, "12 unités dans le catalogue."),
    ],
)
def test_catalogue_counts_agree(app, template, values, shown):
    source = open(f"templates/{template}").read()
    line = next(line for line in source.splitlines() if "unit_count" in line)
    with app.test_request_context(), force_locale("fr"):
        assert shown in render_template_string(line, **values)


@pytest.mark.sqlite_only
def test_one_notification_marked_as_read(app):
    from lms.notifications.services import notify

    make_user(app, "one@example.org", [])
    with app.test_request_context():
        from lms.accounts.models import User
        from lms.extensions import db

        notify([db.session.query(User).filter_by(email="one@example.org").one()], "test", "Bonjour", via=["in_app"])
        db.session.commit()
    client = client_for(app, "one@example.org")
    page = client.get("/notifications/")
    response = client.post("/notifications/read", data={"csrf_token": csrf_token(page.text)}, follow_redirects=True)
    assert "1 notification marquée comme lue." in response.text


@pytest.mark.sqlite_only
def test_waiting_list_places_and_entry_level_are_written_once(app):
    queue = open("templates/intakes/admin/queue.html").read()
    line = next(line for line in queue.splitlines() if "places_left" in line and "oldest" in line)

    class Candidate:
        name = "Alice"

    class Waitlisted:
        candidate = Candidate()

    with app.test_request_context(), force_locale("fr"):
        one = render_template_string(line, places_left=1, next_waitlisted=Waitlisted())
        two = render_template_string(line, places_left=2, next_waitlisted=Waitlisted())
        assert "1 place libre : le plus ancien" in one and "2 places libres : le plus ancien" in two
        apply = open("templates/intakes/apply.html").read()
        line = next(line for line in apply.splitlines() if "admits candidates from level" in line)
        from lms.intakes.labels import level_label

        text = render_template_string(line, entry=5, level_label=level_label)
        assert "à partir du niveau 5" in text and "Niveau" not in text
