"""Directors see and decide for the learners of their programmes only; administrators attach them
to programmes from the programme page or with ``lms programmes directors add|remove|list``."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner, Role
from lms.accounts.queries import learner_by_number, user_by_email
from lms.catalog import directors
from lms.catalog.models import Programme, ProgrammeVersion, Unit, UnitKind
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.audit.requirements import unit_codes
from lms.results import decisions
from lms.results.models import Decision
from tests.helpers import client_for, csrf_token, make_user

PASSWORD = "demo-lms-2026"  # the demo accounts and the ones made here share it

FIRST = "directeur@example.org"  # directs LG02501A, CC0400A, CYC9106A
SECOND = "directrice.master@example.org"  # directs the other demo programmes
OWN = "100000W"  # Camille Dupont: LG02501A and CC0400A


def only_in_programmes_of(email: str) -> Learner:
    """A demo learner enrolled only in programmes ``email`` directs."""
    directed = directors.directed_programme_ids(user_by_email(email))
    enrolled = (
        sa.select(Enrolment.learner_id, ProgrammeVersion.programme_id)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .order_by(Enrolment.learner_id)
    )
    programmes: dict[int, set[int]] = {}
    for learner_id, programme_id in db.session.execute(enrolled):
        programmes.setdefault(learner_id, set()).add(programme_id)
    learner_id = next(lid for lid, ids in programmes.items() if ids <= directed)
    return db.session.get(Learner, learner_id)


def test_a_director_reaches_the_learners_of_their_programmes_only(demo_app):
    with demo_app.app_context():
        other = only_in_programmes_of(SECOND)
        other_number, other_name = other.learner_number, other.user.name
    first = client_for(demo_app, FIRST, PASSWORD)
    assert first.get(f"/learners/{OWN.lower()}").status_code == 200  # numbers are case-insensitive
    assert first.get(f"/learners/{other_number}").status_code == 403
    assert first.get(f"/learners/{other_number}/transcript.pdf").status_code == 403
    token = csrf_token(first.get(f"/learners/{OWN}").text)
    decision = {
        "ua-csrf_token": token,
        "ua-unit": "UAAL0T",
        "ua-decision": "validated",
        "ua-decided_on": "2026-11-20",
        "ua-evidence": "Rapport",
    }
    assert first.post(f"/learners/{other_number}/activities", data=decision).status_code == 403
    credit = {
        "credit-csrf_token": token,
        "credit-unit": "RSX103",
        "credit-source": "dispense",
        "credit-programme": "",
        "credit-granted_on": "2026-11-20",
        "credit-reason": "x",
    }
    assert first.post(f"/learners/{other_number}/credits", data=credit).status_code == 403

    found = first.get("/learners/", query_string={"q": other_name})
    assert found.status_code == 200 and f"/learners/{other_number}" not in found.text
    second = client_for(demo_app, SECOND, PASSWORD)
    assert f"/learners/{other_number}" in second.get("/learners/", query_string={"q": other_name}).text
    assert f"/learners/{OWN}" not in second.get("/learners/", query_string={"q": "100000"}).text
    assert second.get(f"/learners/{other_number}").status_code == 200


def test_a_director_without_a_programme_sees_no_learner(demo_app):
    make_user(demo_app, "sans.programme@example.org", roles=[Role.DIRECTOR], password=PASSWORD)
    client = client_for(demo_app, "sans.programme@example.org", PASSWORD)
    found = client.get("/learners/", query_string={"q": "1"})
    assert found.status_code == 200 and "/learners/1" not in found.text
    assert client.get(f"/learners/{OWN}").status_code == 403
    with demo_app.app_context():
        assert directors.directed_programme_ids(user_by_email("sans.programme@example.org")) == set()


def test_a_director_does_not_decide_a_ua_outside_the_learners_programmes_they_direct(demo_app):
    with demo_app.app_context():
        learner = learner_by_number(OWN)
        first = user_by_email(FIRST)
        own_trees = db.session.scalars(
            sa.select(ProgrammeVersion.requirements)
            .join(Programme)
            .where(Programme.id.in_(directors.learner_programme_ids(learner)))
        )
        theirs = set().union(*(unit_codes(tree) for tree in own_trees))
        foreign = db.session.scalar(
            sa.select(Unit).where(Unit.kind == UnitKind.UA, Unit.code.not_in(sorted(theirs))).order_by(Unit.code)
        )
        assert foreign is not None
        assert directors.may_decide(first, learner, None, db.session.scalar(sa.select(Unit).filter_by(code="UAAL0T")))
        assert not directors.may_decide(first, learner, None, foreign)
        with pytest.raises(decisions.NotAllowed):
            decisions.decide_activity(first, learner, foreign, Decision.VALIDATED, date(2026, 11, 20), "x")
        assert directors.may_decide(user_by_email("admin@example.org"), learner, None, foreign)
        db.session.rollback()


def test_an_administrator_attaches_and_detaches_directors_from_the_programme_page(demo_app):
    make_user(demo_app, "nouvelle@example.org", name="Nouvelle Directrice", roles=[Role.DIRECTOR], password=PASSWORD)
    make_user(demo_app, "enseignante@example.org", name="Enseignante", roles=[Role.TUTOR], password=PASSWORD)
    admin = client_for(demo_app, "admin@example.org", PASSWORD)
    page = admin.get("/catalog/programmes/LG02501A")
    assert page.status_code == 200 and "Nadia Benali" in page.text and FIRST in page.text
    token = csrf_token(page.text)

    assert (
        admin.post("/catalog/programmes/LG02501A/directors", data={"email": "nouvelle@example.org"}).status_code == 400
    )
    unknown = admin.post("/catalog/programmes/LG02501A/directors", data={"csrf_token": token, "email": "x@example.org"})
    assert unknown.status_code == 400 and "Aucun compte n’a l’adresse x@example.org" in unknown.text
    tutor = admin.post(
        "/catalog/programmes/LG02501A/directors", data={"csrf_token": token, "email": "enseignante@example.org"}
    )
    assert tutor.status_code == 400 and "n’a pas le rôle de responsable" in tutor.text
    added = admin.post(
        "/catalog/programmes/LG02501A/directors",
        data={"csrf_token": token, "email": " Nouvelle@Example.org "},
        follow_redirects=True,
    )
    assert added.status_code == 200 and "Nouvelle Directrice est désormais responsable de LG02501A" in added.text
    assert client_for(demo_app, "nouvelle@example.org", PASSWORD).get(f"/learners/{OWN}").status_code == 200
    assert (
        admin.post("/catalog/programmes/NOPE/directors", data={"csrf_token": token, "email": FIRST}).status_code == 404
    )

    with demo_app.app_context():
        user_id = user_by_email("nouvelle@example.org").id
    assert admin.post(f"/catalog/programmes/LG02501A/directors/{user_id}/remove").status_code == 400  # no CSRF
    removed = admin.post(
        f"/catalog/programmes/LG02501A/directors/{user_id}/remove", data={"csrf_token": token}, follow_redirects=True
    )
    assert removed.status_code == 200 and "n’est plus responsable de LG02501A" in removed.text
    assert client_for(demo_app, "nouvelle@example.org", PASSWORD).get(f"/learners/{OWN}").status_code == 403

    director = client_for(demo_app, FIRST, PASSWORD)
    shown = director.get("/catalog/programmes/LG02501A")
    assert shown.status_code == 200 and "/directors" not in shown.text
    refused = director.post(
        "/catalog/programmes/LG02501A/directors", data={"csrf_token": csrf_token(shown.text), "email": FIRST}
    )
    assert refused.status_code == 403


def run(app, *args):
    return app.test_cli_runner().invoke(args=["programmes", "directors", *args])


def test_the_directors_commands(demo_app):
    make_user(demo_app, "nouvelle@example.org", name="Nouvelle Directrice", roles=[Role.DIRECTOR], password=PASSWORD)
    make_user(demo_app, "enseignante@example.org", roles=[Role.TUTOR], password=PASSWORD)
    listed = run(demo_app, "list", "LG02501A")
    assert listed.exit_code == 0 and listed.stdout == f"{FIRST}\tNadia Benali\n"

    added = run(demo_app, "add", "LG02501A", "NOUVELLE@example.org")
    assert added.exit_code == 0 and added.stdout.strip() == "nouvelle@example.org now directs LG02501A"
    assert run(demo_app, "add", "LG02501A", "nouvelle@example.org").stdout.strip() == (
        "nouvelle@example.org already directs LG02501A"
    )
    assert run(demo_app, "list", "LG02501A").stdout.splitlines() == [
        f"{FIRST}\tNadia Benali",
        "nouvelle@example.org\tNouvelle Directrice",
    ]
    for args, message in (
        (("add", "NOPE", FIRST), "no programme NOPE"),
        (("add", "LG02501A", "x@example.org"), "no user with e-mail x@example.org"),
        (
            ("add", "LG02501A", "enseignante@example.org"),
            "enseignante@example.org n’a pas le rôle de responsable de formation.",
        ),
        (("remove", "LG02501A", SECOND), f"{SECOND} does not direct LG02501A"),
        (("list", "NOPE"), "no programme NOPE"),
    ):
        failed = run(demo_app, *args)
        assert (failed.exit_code, failed.stderr.strip()) == (2, message)

    removed = run(demo_app, "remove", "LG02501A", "nouvelle@example.org")
    assert removed.exit_code == 0 and removed.stdout.strip() == "nouvelle@example.org no longer directs LG02501A"
    assert run(demo_app, "list", "LG02501A").stdout == f"{FIRST}\tNadia Benali\n"
    with demo_app.app_context():
        assert directors.directed_programme_ids(user_by_email("nouvelle@example.org")) == set()
