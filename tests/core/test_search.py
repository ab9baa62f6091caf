"""Searches ignore accents and case, the same way on SQLite and PostgreSQL: "securite" finds
"Sécurité" in the units, the learners, the accounts and the offerings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.accounts.models import Role, User
from lms.catalog.models import Unit, UnitKind
from lms.catalog.queries import search_units
from lms.core.search import fold, matches_words
from lms.extensions import db
from lms.progress.queries import search_learners
from tests.helpers import make_user


def test_fold_drops_accents_case_and_ligatures():
    assert fold("Sécurité des SYSTÈMES") == "securite des systemes"
    assert fold("Œuvre, cœur, Ægée") == "oeuvre, coeur, aegee"
    assert fold("Straße") == "strasse"
    assert fold("l’été") == "l'ete"
    assert fold("ﬁchier") == "fichier"  # compatibility decomposition of the "fi" ligature
    assert fold(None) == ""


def add_units(app, *rows: tuple[str, str]) -> None:
    with app.app_context():
        db.session.add_all(Unit(code=code, title=title, ects=Decimal(6), kind=UnitKind.UE) for code, title in rows)
        db.session.commit()


def test_unit_search_ignores_accents_and_case(app):
    add_units(
        app,
        ("SEC101", "Sécurité des réseaux"),
        ("NFA031", "Programmation Java"),
        ("GDN100", "Management de l’éthique"),
    )
    with app.app_context():

        def codes(text):
            return [unit.code for unit in search_units(text).rows]

        assert codes("securite") == ["SEC101"]
        assert codes("SÉCURITÉ réseaux") == ["SEC101"]
        assert codes("nfa031") == ["NFA031"]
        assert codes("l'ethique") == ["GDN100"]
        assert codes("securite java") == []
        assert codes("") == ["GDN100", "NFA031", "SEC101"]


def test_the_key_follows_changes(app):
    add_units(app, ("SEC101", "Réseaux"))
    with app.app_context():
        unit = db.session.scalar(db.select(Unit))
        unit.title = "Sécurité"
        db.session.commit()
        assert [u.code for u in search_units("securite").rows] == ["SEC101"]
        assert search_units("reseaux").rows == []


def test_learner_search_ignores_accents_and_case(app):
    make_user(app, "helene@example.org", [Role.LEARNER], name="Hélène Léger", password=None)
    make_user(app, "bob@example.org", [Role.LEARNER], name="Bob Martin", password=None)
    make_user(app, "admin@example.org", [Role.ADMIN], name="Admin", password=None)
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == "admin@example.org"))
        assert [name for _, name, _ in search_learners("helene leger", admin)] == ["Hélène Léger"]
        assert [name for _, name, _ in search_learners("LÉGER", admin)] == ["Hélène Léger"]
        number = db.session.scalar(db.select(User).where(User.email == "bob@example.org")).learner.learner_number
        assert [name for _, name, _ in search_learners(number.lower(), admin)] == ["Bob Martin"]


def test_words_match_any_of_the_columns_and_wildcards_are_plain(app):
    add_units(app, ("ABC100", "Taux de 100% réussite"), ("ABC200", "Autre"))
    with app.app_context():
        found = db.session.scalars(db.select(Unit.code).where(matches_words("100%", Unit.search_key))).all()
        assert found == ["ABC100"]
        found = db.session.scalars(db.select(Unit.code).where(matches_words("_", Unit.search_key))).all()
        assert found == []


@pytest.mark.sqlite_only
def test_the_pages_search_without_accents(app):
    from tests.helpers import login

    add_units(app, ("SEC101", "Sécurité des réseaux"), ("NFA031", "Java"))
    make_user(app, "admin@example.org", [Role.ADMIN], locale="en")
    make_user(app, "helene@example.org", [Role.LEARNER], name="Hélène Léger", password=None)
    client = app.test_client()
    login(client, "admin@example.org")
    units = client.get("/catalog/units?q=securite")
    assert '<th scope="row">SEC101</th>' in units.text and '<th scope="row">NFA031</th>' not in units.text
    learners = client.get("/learners/?q=helene")
    assert learners.status_code == 200 and "Hélène Léger" in learners.text
