"""French first: every message has a French translation; English is selectable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_has_a_french_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "_nl:1,2", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wanted = {m.id for m in read_po(pot.open("rb")) if m.id}
    with (ROOT / "lms/translations/fr/LC_MESSAGES/messages.po").open("rb") as handle:
        french = read_po(handle, locale="fr")
    translated = {
        m.id
        for m in french
        if m.id and "fuzzy" not in m.flags and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    assert sorted(wanted - translated) == [], "run `make messages` and translate the new entries"


@pytest.mark.sqlite_only
def test_french_by_default_and_english_on_request(client):
    page = client.get("/login")
    assert '<html lang="fr">' in page.text and "Se connecter" in page.text
    from tests.helpers import csrf_token

    client.post("/language", data={"csrf_token": csrf_token(page.text), "locale": "en", "next": "/login"})
    english = client.get("/login")
    assert '<html lang="en">' in english.text and "Log in" in english.text


@pytest.mark.sqlite_only
@pytest.mark.parametrize("locale, grade, ects", [("fr", "11,50", "4,5"), ("en", "11.50", "4.5")])
def test_numbers_follow_the_locale(app, locale, grade, ects):
    from decimal import Decimal

    from flask_babel import force_locale

    from lms.core.plugin import format_ects, format_grade

    with app.test_request_context(), force_locale(locale):
        assert format_grade(Decimal("11.5")) == grade
        assert format_ects(Decimal("4.5")) == ects
        assert format_ects(Decimal("6")) == "6"
        assert format_grade(None) == "—"
