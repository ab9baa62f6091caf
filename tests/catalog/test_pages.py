"""Catalogue pages: units search, programme trees, upload with preview and confirmation, access."""

from __future__ import annotations

import re
from html import unescape
from io import BytesIO

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.catalog.models import Unit
from lms.core.models import StoredFile
from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from tests.catalog.conftest import row_counts
from tests.helpers import client_for, count_statements, csrf_token, login, make_user

NEW_FILE = """\
units:
  - {code: NEW101, title: "Intelligence artificielle frugale", ects: 6, kind: UE, level: M1}
  - {code: NFA031, title: "Programmation avec Java : notions de base", ects: 6, kind: UE, level: L2}
programs:
  - code: LG02501A
    version: "2027"
    title: "Licence informatique Parcours Informatique générale"
    kind: licence
    ects: 180
    requirements:
      label: "Licence 2027"
      all: [NFA031, NEW101]
offerings:
  - {unit: NEW101, year: 2026, semester: S2, modality: foad, centre: PAR}
"""


@pytest.fixture
def stored_uploads(demo_app):
    """The keys of the catalogue uploads waiting in the shared storage (the database)."""

    def keys() -> list[str]:
        with demo_app.app_context():
            return list(db.session.scalars(sa.select(StoredFile.key).where(StoredFile.kind == "upload:catalog")))

    return keys


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def rows(html: str) -> list[str]:
    return re.findall(r'<th scope="row">([A-Z0-9]+)</th>', html)


def upload(client, name: str, content: str | bytes):
    page = client.get("/catalog/import")
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/catalog/import",
        data={"csrf_token": csrf_token(page.text), "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def token_in(html: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert match, "no confirmation form"
    return match.group(1)


# --- units ----------------------------------------------------------------------------------------------


def test_units_search_by_code_and_by_title_word(demo_app):
    client = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    everything = client.get("/catalog/units")
    assert everything.status_code == 200
    assert "151 unités dans le catalogue." in text_of(everything.text)
    assert "Page 1 sur 4" in text_of(everything.text)

    by_code = text_of(client.get("/catalog/units", query_string={"q": "nfa031"}).text)
    assert "1 unité correspond à « nfa031 »." in by_code
    assert "NFA031 Programmation avec Java : notions de base 6 UE L1" in by_code

    by_word = client.get("/catalog/units", query_string={"q": "cryptographie"}).text
    assert "1 unité correspond à « cryptographie »." in text_of(by_word)
    assert "CYB103 Cryptographie pour la protection des données" in text_of(by_word)
    assert rows(by_word) == ["CYB103"]

    two_words = client.get("/catalog/units", query_string={"q": "anglais professionnel"}).text
    assert rows(two_words) == ["ANG320", "ANG330"]

    nothing = text_of(client.get("/catalog/units", query_string={"q": "100%_"}).text)
    assert "0 unité correspond" in nothing

    second = client.get("/catalog/units", query_string={"page": 2})
    assert "Page 2 sur 4" in text_of(second.text)
    assert len(rows(second.text)) == 50 and not set(rows(second.text)) & set(rows(everything.text))
    assert client.get("/catalog/units", query_string={"page": 99}).status_code == 200


@pytest.mark.sqlite_only
def test_units_page_issues_constant_statements(demo_app):
    client = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    client.get("/catalog/units")

    def statements(**query) -> int:
        with count_statements(demo_app) as seen:
            assert client.get("/catalog/units", query_string=query).status_code == 200
        return len(seen)

    first = statements()
    assert first <= 5
    assert statements(page=3) == statements(q="a") == statements(q="programmation java") == first


# --- programmes -----------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_programme_page_issues_constant_statements(demo_app):
    client = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    client.get("/catalog/programmes/CC0400A")

    def statements(path: str) -> int:
        with count_statements(demo_app) as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    small = statements("/catalog/programmes/CC0400A")  # 7 units
    assert small <= 6  # an administrator also sees the directors
    assert statements("/catalog/programmes/LG02501A/versions/20261004") == small  # 57 units


@pytest.mark.sqlite_only
def test_programme_page_shows_the_tree_in_plain_words(demo_app):
    client = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    page = client.get("/catalog/programmes/LG02501A")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Licence informatique Parcours Informatique générale" in text
    assert "3 domaines de compétences à choisir parmi les 5 proposés" in text  # labels kept
    assert "Choisir 3 éléments parmi les 5 suivants." in text  # the "choose" rule in words
    assert "Choisir 1 élément parmi les 4 suivants." in text
    assert "NFA031 Programmation avec Java : notions de base · 6 ECTS" in text
    assert re.search(r"UAAL0S\s+Expérience professionnelle · 50 ECTS\s+UA", text)  # UAs marked
    assert '<abbr title="Unité d’activité (expérience, mémoire, stage)">UA</abbr>' in page.text

    master = text_of(client.get("/catalog/programmes/MR12202A").text)
    assert "Choisir 4 éléments parmi les 11 suivants, pour au moins 14 crédits ECTS." in master
    assert "seuil : 14 ECTS" in master

    listing = client.get("/catalog/programmes")
    assert 'href="/catalog/programmes/LG02501A/versions/20261004"' in listing.text
    assert client.get("/catalog/programmes/LG02501A/versions/20261004").status_code == 200
    assert client.get("/catalog/programmes/LG02501A/versions/1999").status_code == 404
    assert client.get("/catalog/programmes/NOPE").status_code == 404


@pytest.mark.sqlite_only
def test_programme_page_lists_versions_and_shows_the_newest(demo_app, stored_uploads):
    client = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    token = token_in(upload(client, "licence-2027.yaml", NEW_FILE).text)
    client.post(
        "/catalog/import/confirm", data={"csrf_token": csrf_token(client.get("/catalog/import").text), "token": token}
    )
    newest = text_of(client.get("/catalog/programmes/LG02501A").text)
    assert "Formation LG02501A, version 2027" in newest and "Licence 2027" in newest
    assert "Intelligence artificielle frugale" in newest
    older = text_of(client.get("/catalog/programmes/LG02501A/versions/20261004").text)
    assert "Formation LG02501A, version 20261004" in older
    assert "Licence 2027" not in older and "Intelligence artificielle frugale" not in older


@pytest.mark.sqlite_only
def test_directors_see_programmes_but_not_the_admin_pages(demo_app):
    client = client_for(demo_app, "directeur@example.org", DEMO_PASSWORD)
    assert client.get("/catalog/programmes/MR12202A").status_code == 200
    home = client.get("/").text
    assert 'href="/catalog/programmes"' in home and 'href="/catalog/units"' not in home
    for path in ("/catalog/units", "/catalog/import"):
        assert client.get(path).status_code == 403


@pytest.mark.sqlite_only
@pytest.mark.parametrize("email", ["apprenant@example.org", "enseignant@example.org"])
def test_learners_and_tutors_are_refused(demo_app, email):
    client = client_for(demo_app, email, DEMO_PASSWORD)
    for path in ("/catalog/units", "/catalog/programmes", "/catalog/programmes/LG02501A", "/catalog/import"):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client.get("/").text)
    assert client.post("/catalog/import/confirm", data={"csrf_token": token, "token": "x" * 43}).status_code == 403
    assert 'href="/catalog/units"' not in client.get("/").text


@pytest.mark.sqlite_only
def test_admin_navigation_offers_the_catalogue_pages(demo_app):
    home = client_for(demo_app, "admin@example.org", DEMO_PASSWORD).get("/").text
    for path in ("/catalog/programmes", "/catalog/units", "/catalog/import"):
        assert f'href="{path}"' in home


# --- upload ---------------------------------------------------------------------------------------------


def test_upload_preview_then_confirm_writes(demo_app, stored_uploads):
    client = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    with demo_app.app_context():
        before = row_counts()

    preview = upload(client, "licence-2027.yaml", NEW_FILE)
    assert preview.status_code == 200
    text = text_of(preview.text)
    assert "Aperçu de l’import : licence-2027.yaml" in text
    assert "NEW101 Intelligence artificielle frugale 6 UE M1" in text
    assert "NFA031 Niveau L1 L2" in text  # a field-level change
    assert "LG02501A 2027 Licence informatique Parcours Informatique générale 180 nouvelle version" in text
    token = token_in(preview.text)
    assert stored_uploads() == [token]  # bytes kept server-side, not in the cookie
    with demo_app.app_context():
        assert row_counts() == before  # a preview writes nothing

    done = client.post(
        "/catalog/import/confirm", data={"csrf_token": csrf_token(preview.text), "token": token}, follow_redirects=True
    )
    assert done.status_code == 200
    assert (
        "Catalogue importé depuis licence-2027.yaml. Unités ajoutées : 1 ; unités modifiées : 1 ; "
        "versions de formations ajoutées : 1 ; enseignements ajoutés : 1." in text_of(done.text)
    )
    with demo_app.app_context():
        after = row_counts()
        assert after["units"] == before["units"] + 1 and after["versions"] == before["versions"] + 1
        assert after["offerings"] == before["offerings"] + 1
        assert db.session.scalar(sa.select(Unit.level).where(Unit.code == "NFA031")) == "L2"
    assert stored_uploads() == []

    # the same token again: gone
    again = client.post(
        "/catalog/import/confirm", data={"csrf_token": csrf_token(preview.text), "token": token}, follow_redirects=True
    )
    assert "a expiré ou est inconnu" in text_of(again.text)
    # the same file again: nothing to import, no confirmation offered
    same = upload(client, "licence-2027.yaml", NEW_FILE)
    assert "Rien à importer" in text_of(same.text) and 'name="token"' not in same.text


BAD_FILE = (
    "units:\n"
    '  - {code: NEW101, title: "X", ects: -2, kind: UE}\n'
    '  - {code: NEW102, title: "Y", ects: 6, kind: UE, colour: red}\n'
    '  - {code: NEW103, title: "Z", ects: 6, kind: UE}\n'
    '  - {code: NEW103, title: "Z", ects: 3, kind: UE}\n'
    "programs:\n"
    '  - {code: P1, version: "1", title: "P", kind: master, ects: 6, requirements: {all: [NEW103, {weird: 1}]}}\n'
)


@pytest.mark.sqlite_only
def test_malformed_upload_shows_problems_in_french_with_the_file_name_and_writes_nothing(demo_app, stored_uploads):
    client = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    with demo_app.app_context():
        before = row_counts()
    page = upload(client, "mon catalogue.yaml", BAD_FILE)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Ce fichier ne peut pas être importé. Rien n’a été écrit." in text
    assert "mon catalogue.yaml:2: unité NEW101 : 'ects' ne doit pas être négatif (-2)" in text
    assert "mon catalogue.yaml:3: unité NEW102 : clé inconnue 'colour'" in text
    assert "mon catalogue.yaml:5: unité NEW103 : définie différemment en mon catalogue.yaml:4" in text
    assert (
        "mon catalogue.yaml:7: formation P1 : un nœud doit être une unité, un emplacement libre, ou un groupe avec 'all' ou 'of'"
        in text
    )
    assert "must" not in text and "unknown" not in text and "unit " not in text
    assert "/tmp" not in page.text and "upload.yaml" not in page.text
    assert 'name="token"' not in page.text
    assert stored_uploads() == []

    syntax = text_of(upload(client, "cassé.yml", "units: [\n  - {code: X\n").text)
    assert "cassé.yml:2: erreur de syntaxe YAML : " in syntax
    binary = text_of(upload(client, "binaire.yaml", b"\xff\xfe\x00garbage").text)
    assert "binaire.yaml:0: impossible de lire le fichier : " in binary
    aliased = text_of(upload(client, "alias.yaml", "units: &u []\nprograms: *u\n").text)
    assert "alias.yaml:2: erreur de syntaxe YAML : les alias (*nom) ne sont pas permis dans ces fichiers" in aliased

    conflict = text_of(upload(client, "conflit.yaml", NEW_FILE.replace('"2027"', '"20261004"')).text)
    assert "conflit.yaml:5: formation LG02501A version 20261004 : diffère de celle de la base de données" in conflict
    with demo_app.app_context():
        assert row_counts() == before


@pytest.mark.sqlite_only
def test_malformed_upload_shows_problems_in_english_to_an_english_reader(demo_app, stored_uploads):
    make_user(demo_app, "admin-en@example.org", [Role.ADMIN], locale="en")
    client = client_for(demo_app, "admin-en@example.org")
    text = text_of(upload(client, "my catalogue.yaml", BAD_FILE).text)
    assert "This file cannot be imported. Nothing was written." in text
    assert "my catalogue.yaml:2: unit NEW101: 'ects' must not be negative (-2)" in text
    assert "my catalogue.yaml:3: unknown key 'colour' in unit NEW102" in text
    assert "my catalogue.yaml:5: unit NEW103 is defined differently in my catalogue.yaml:4" in text
    assert "my catalogue.yaml:7: program P1: a node must be a unit, a slot, or a group with 'all' or 'of'" in text
    conflict = text_of(upload(client, "conflict.yaml", NEW_FILE.replace('"2027"', '"20261004"')).text)
    assert "conflict.yaml:5: program LG02501A version 20261004 differs from the one in the database" in conflict


@pytest.mark.sqlite_only
def test_upload_form_checks_the_file(demo_app, stored_uploads):
    client = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    page = client.get("/catalog/import")
    assert 'enctype="multipart/form-data"' in page.text and '<label class="form-label" for="file">' in page.text
    assert "Le fichier doit être un catalogue .yaml ou .yml." in text_of(upload(client, "notes.csv", "a,b\n").text)
    assert "Le fichier est vide." in text_of(upload(client, "vide.yaml", "").text)
    demo_app.config["CATALOG_UPLOAD_MAX_BYTES"] = 1024
    assert "Le fichier dépasse 1 Kio." in text_of(upload(client, "gros.yaml", "#" * 2000).text)
    missing = client.post("/catalog/import", data={"csrf_token": csrf_token(page.text)})
    assert "Choisissez un fichier à envoyer." in text_of(missing.text)


@pytest.mark.sqlite_only
def test_a_confirmation_needs_the_uploaders_fresh_token(demo_app, stored_uploads, monkeypatch):
    admin = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    token = token_in(upload(admin, "licence-2027.yaml", NEW_FILE).text)

    make_user(demo_app, "autre.admin@example.org", [Role.ADMIN])
    other = demo_app.test_client()
    login(other, "autre.admin@example.org")
    refused = other.post(
        "/catalog/import/confirm",
        data={"csrf_token": csrf_token(other.get("/").text), "token": token},
        follow_redirects=True,
    )
    assert "a expiré ou est inconnu" in text_of(refused.text)
    for forged in ("../../etc/passwd", ""):
        response = admin.post(
            "/catalog/import/confirm",
            data={"csrf_token": csrf_token(admin.get("/").text), "token": forged},
            follow_redirects=True,
        )
        assert "a expiré ou est inconnu" in text_of(response.text)

    demo_app.config["CATALOG_UPLOAD_TTL"] = -1  # every upload is now too old
    expired = admin.post(
        "/catalog/import/confirm",
        data={"csrf_token": csrf_token(admin.get("/").text), "token": token},
        follow_redirects=True,
    )
    assert "a expiré ou est inconnu" in text_of(expired.text)
    assert stored_uploads() == []
    with demo_app.app_context():
        assert db.session.scalar(sa.select(Unit).where(Unit.code == "NEW101")) is None
