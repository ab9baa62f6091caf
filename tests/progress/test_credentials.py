"""Closest credentials: every programme ranked as ``lms rank`` ranks it for the learner's record,
with the certificates they can claim now and those within one or two units."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.queries import learner_by_number
from lms.catalog.export import write_catalog
from lms.catalog.models import Unit
from lms.core.time import utcnow
from lms.extensions import db
from lms.progress.audit import ranking
from lms.progress.audit.catalogue import UnitDef
from lms.progress.audit.records import CreditEntry, LearnerRecord, ResultEntry
from lms.progress.audit.requirements import normalise
from lms.progress.queries import catalogue_from_database
from lms.progress.records import learner_record
from lms.results import decisions
from lms.results.models import CreditSource
from tests.helpers import client_for, csrf_token
from tests.progress.test_cockpit import PASSWORD, text
from tests.progress.test_whatif import as_json, rendered

LEARNER = "100000W"
EMAIL = "apprenant@example.org"


def transcript(record: LearnerRecord) -> dict:
    """The record as a transcript file (formats.md section 2)."""

    def clean(entry) -> dict:
        out = {key: value for key, value in asdict(entry).items() if value is not None}
        for key, value in out.items():
            if isinstance(value, Decimal):
                out[key] = float(value)
            elif isinstance(value, date):
                out[key] = value.isoformat()
        if "replaces" in out:
            out["for"] = out.pop("replaces")
        return out

    return {
        "learner": record.learner,
        "results": [clean(r) for r in record.results],
        "credits": [clean(c) for c in record.credits],
        "exceptions": [clean(e) for e in record.exceptions],
    }


def cli_rank(app, tmp_path, today: date) -> list[dict]:
    """``lms rank`` on the database catalogue and the learner's record, written to files."""
    with app.app_context():
        write_catalog(catalogue_from_database(), tmp_path / "catalog")
        (tmp_path / "me.json").write_text(json.dumps(transcript(learner_record(learner_by_number(LEARNER), today))))
    out = app.test_cli_runner().invoke(
        args=[
            "rank",
            "--catalog",
            str(tmp_path / "catalog"),
            "--transcript",
            str(tmp_path / "me.json"),
            "--as-of",
            today.isoformat(),
        ]
    )
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def credentials_page(app, client):
    with rendered(app) as seen:
        page = client.get("/me/credentials")
    assert page.status_code == 200
    return page, next(c for c in seen if "ranked" in c)


def table_rows(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><strong>([A-Z0-9]+)</strong>', html)


def test_ranking_is_lms_rank(demo_app, tmp_path):
    today = utcnow().date()
    expected = cli_rank(demo_app, tmp_path, today)
    page, context = credentials_page(demo_app, client_for(demo_app, EMAIL, PASSWORD))
    # the same audits as ``lms rank``, in the page's own order (test_closest_first)
    assert as_json(sorted((r.row for r in context["ranked"]), key=ranking.rank_key)) == expected
    # the table shows them in that order, each with its missing ECTS and a what-if link
    body = page.text
    assert table_rows(body) == [r.program.code for r in context["ranked"]]
    for row in expected:
        assert f"/me/what-if?programme={row['program']}:{row['version']}" in body.replace("%3A", ":")
    with demo_app.app_context():  # and the same as the engine's rank on the same inputs
        catalog = catalogue_from_database()
        record = learner_record(learner_by_number(LEARNER), today)
        assert (
            as_json(ranking.rank_rows(catalog.programs.values(), catalog.units, catalog.equivalences, record, today))
            == expected
        )


def test_closest_first(demo_app, tmp_path):
    """The learner holds units that count in the licence and the engineering degree, nothing that
    counts in the others: those two come first, although ``lms rank`` puts them after smaller
    certificates where she holds nothing."""
    today = utcnow().date()
    assert [row["program"] for row in cli_rank(demo_app, tmp_path, today)][:3] == ["CS6800A", "CC0400A", "LG02501A"]
    page, context = credentials_page(demo_app, client_for(demo_app, EMAIL, PASSWORD))
    order = ["LG02501A", "CYC9106A", "CS6800A", "CC0400A", "CPN0400A", "MR12202A"]
    assert [r.program.code for r in context["ranked"]] == order
    assert table_rows(page.text) == order
    words = text(page.text)
    assert (
        "Classés par ce qu'il vous reste à valider ; les diplômes où aucune de vos unités ne compte viennent après."
        in words.replace("&#39;", "'")
    )
    assert re.search(r"LG02501A .*?20 de vos unités comptent ici.*?64\s?%.*?CYC9106A", words)
    assert re.search(r"CYC9106A .*?3 de vos unités comptent ici.*?5\s?%.*?CS6800A", words)
    assert re.search(r"CS6800A .*?Aucune de vos unités ne compte ici.*?0\s?%.*?CC0400A", words)
    # the share done as a progress element, with its words as accessible name
    assert re.search(r'<progress[^>]*max="100"[^>]*value="64"[^>]*aria-labelledby="share-LG02501A"', page.text)
    assert re.search(r'id="share-LG02501A"[^>]*>\s*64\s?% validés', page.text)


@pytest.mark.sqlite_only
def test_closest_in_english(demo_app):
    client = client_for(demo_app, EMAIL, PASSWORD)
    client.post("/language", data={"csrf_token": csrf_token(client.get("/me/credentials").text), "locale": "en"})
    page, _context = credentials_page(demo_app, client)
    words = text(page.text)
    assert "Ranked by what you still have to validate; programmes where none of your units counts come after." in words
    assert re.search(r"LG02501A .*?20 of your units count here.*?64% done", words)
    assert re.search(r"CS6800A .*?None of your units counts here", words)


def grant(app, code: str) -> None:
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
        learner = learner_by_number(LEARNER)
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
        decisions.grant_credit(admin, learner, unit, CreditSource.DISPENSE, date(2026, 10, 1), "test")
        db.session.commit()


def test_claim_now_and_within_one_or_two_units(demo_app):
    client = client_for(demo_app, EMAIL, PASSWORD)

    def cs(context):
        return next(r for r in context["ranked"] if r.program.code == "CS6800A")

    _page, context = credentials_page(demo_app, client)
    assert cs(context).units_missing == 3 and not cs(context).claimable
    grant(demo_app, "MNP214")
    page, context = credentials_page(demo_app, client)
    assert cs(context).units_missing == 2
    assert re.search(r"CS6800A .*?1 de vos unités compte ici", text(page.text))
    assert context["ranked"][0].program.code == "CS6800A"  # one of its units counts now, and the least is left
    assert re.search(r"CS6800A.*?(within two units|à deux unités)", text(page.text))
    grant(demo_app, "MNP215")
    page, context = credentials_page(demo_app, client)
    assert cs(context).units_missing == 1
    assert re.search(r"CS6800A.*?(within one unit|à une unité)", text(page.text))
    grant(demo_app, "TDD204")
    page, context = credentials_page(demo_app, client)
    assert cs(context).claimable and cs(context).units_missing == 0
    assert context["ranked"][0].program.code == "CS6800A"  # nothing missing: first
    assert [r.program.code for r in context["claimable"]] == ["CS6800A"]
    assert re.search(r"CS6800A.*?(claim now|à demander)", text(page.text), re.IGNORECASE)


def test_units_missing_is_the_cheapest_completion():
    units = {code: UnitDef(code, code, 6, "UE", None) for code in ("AAA100", "BBB100", "CCC100", "DDD100")}
    tree = normalise({"all": ["AAA100", {"choose": 1, "of": ["BBB100", {"all": ["CCC100", "DDD100"]}]}]})
    from lms.progress.audit.catalogue import ProgramDef

    program = ProgramDef("CZ0001A", "1", "Test", "certificat_competence", None, None, 12, 10, None, tree)
    master = ProgramDef("MZ0001A", "1", "Test", "master", None, None, 12, 10, None, tree)
    record = LearnerRecord("X", results=(ResultEntry("AAA100", 12), ResultEntry("CCC100", 15)))
    ranked = ranking.rank([program, master], units, [], record, date(2026, 11, 22))
    assert [r.units_missing for r in ranked] == [1, 1]  # BBB100 (or DDD100): one unit either way
    record = LearnerRecord("X", results=(ResultEntry("AAA100", 12),), credits=(CreditEntry("DDD100", "vae"),))
    done = ranking.rank([program, master], units, [], record, date(2026, 11, 22))
    assert [r.units_missing for r in done] == [1, 1]
    full = LearnerRecord("X", results=(ResultEntry("AAA100", 12), ResultEntry("BBB100", 12)))
    ranked = ranking.rank([program, master], units, [], full, date(2026, 11, 22))
    assert [(r.program.code, r.claimable, r.units_missing) for r in ranked] == [
        ("CZ0001A", True, 0),
        ("MZ0001A", False, 0),
    ]
    assert [r.row for r in ranked] == ranking.rank_rows([program, master], units, [], full, date(2026, 11, 22))
    registered = LearnerRecord("X", results=(ResultEntry("AAA100", 12), ResultEntry("BBB100", status="registered")))
    ranked = ranking.rank([program], units, [], registered, date(2026, 11, 22))
    assert ranked[0].result["status"] == "in_progress" and ranked[0].units_missing == 1 and not ranked[0].claimable
