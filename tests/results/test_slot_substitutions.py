"""A free slot of a programme's tree (formats.md section 1) is filled only by a director's
substitution naming it: recorded from the learner's record page with the slot's code, counted by
the audit at the slot's ECTS, once per learner and slot; the trees say who fills it and how."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.queries import learner_by_number
from lms.catalog.models import ProgrammeVersion
from lms.demo.accounts import DEMO_PASSWORD
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.records import learner_record
from lms.results.models import Substitution
from tests.helpers import client_for, csrf_token
from tests.results.test_decisions import LEARNER, cc_snapshot, programme, unit

SLOT = "CC0400AX1"


def _add_slot(app) -> None:
    """CC0400A gains a free slot worth 6 ECTS in the learner's version."""
    with app.app_context():
        learner = learner_by_number(LEARNER)
        version = db.session.scalar(
            sa.select(ProgrammeVersion)
            .join(Enrolment, Enrolment.programme_version_id == ProgrammeVersion.id)
            .where(Enrolment.learner_id == learner.id, ProgrammeVersion.programme_id == programme("CC0400A").id)
        )
        version.requirements = {"all": [version.requirements, {"slot": SLOT, "ects": 6, "label": "UE libre"}]}
        db.session.commit()


def _slot_node(app) -> dict:
    with app.app_context():
        tree = cc_snapshot(learner_by_number(LEARNER)).result["requirements"]
        return next(child for child in tree["children"] if child["kind"] == "slot")


def _post(client, page: str, **fields):
    data = {"csrf_token": csrf_token(page), "subst-programme": "CC0400A", "subst-reason": "Accord de l'enseignant"}
    data |= {f"subst-{key}": value for key, value in fields.items()}
    return client.post(f"/learners/{LEARNER}/substitutions", data=data)


def test_a_director_fills_a_free_slot_and_the_audit_counts_its_ects(demo_app):
    _add_slot(demo_app)
    client = client_for(demo_app, "directeur@example.org", DEMO_PASSWORD)
    page = client.get(f"/learners/{LEARNER}")
    assert page.status_code == 200
    assert SLOT in page.text and "emplacement libre" in page.text
    assert _slot_node(demo_app)["status"] == "unmet"

    with demo_app.app_context():
        held = sorted(cc_snapshot(learner_by_number(LEARNER)).result["unused"])
        substitute = held[0]
        counted = "6" if unit(substitute).ects < 6 else ""
    response = _post(client, page.text, substitute=substitute, replaced=SLOT.lower(), counted_ects=counted)
    assert response.status_code == 302, response.text[:2000]

    node = _slot_node(demo_app)
    assert node["status"] == "met" and node["earned_ects"] == 6
    assert node["applied"] == [{"unit": substitute, "via": "substitution", "ects": 6, "for": SLOT}]
    with demo_app.app_context():
        row = db.session.scalar(sa.select(Substitution).where(Substitution.replaced_slot == SLOT))
        assert row.replaced_unit_id is None and row.replaced_code == SLOT
        exceptions = learner_record(learner_by_number(LEARNER)).exceptions
        assert [(e.substitute, e.replaces) for e in exceptions if e.replaces == SLOT] == [(substitute, SLOT)]

    page = client.get(f"/learners/{LEARNER}")
    assert f"{substitute}" in page.text and SLOT in page.text
    again = _post(client, page.text, substitute=held[1], replaced=SLOT, counted_ects="6")
    assert again.status_code == 400
    assert f"{SLOT} a déjà un remplaçant" in again.text or "déjà" in again.text


def test_an_unknown_slot_or_unit_is_refused_on_its_field(demo_app):
    _add_slot(demo_app)
    client = client_for(demo_app, "directeur@example.org", DEMO_PASSWORD)
    page = client.get(f"/learners/{LEARNER}")
    with demo_app.app_context():
        substitute = sorted(cc_snapshot(learner_by_number(LEARNER)).result["unused"])[0]
    response = _post(client, page.text, substitute=substitute, replaced="CC0400AX9")
    assert response.status_code == 400
    assert "Aucune unité ni aucun emplacement libre CC0400AX9" in response.text
    with demo_app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Substitution).where(Substitution.replaced_slot.is_not(None))
            )
            == 0
        )


def test_the_programme_tree_says_who_fills_a_slot(demo_app):
    _add_slot(demo_app)
    client = client_for(demo_app, "admin@example.org", DEMO_PASSWORD)
    for path in ("/catalog/programmes/CC0400A", "/programmes/CC0400A"):  # the admin's page and the public one
        page = client.get(path)
        assert page.status_code == 200, path
        assert SLOT in page.text and "UE libre" in page.text, path
        assert "le directeur de la formation l’inscrit au dossier" in page.text, path
