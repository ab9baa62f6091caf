"""Figures people can reconcile: validated that count here, in progress, still to validate at the
least, surplus held beyond the programme's needs, and the nominal total stated as what it is, with
one line saying why they differ; the same words on the learner's dashboard and home page, the
staff learner record (with each programme's full requirement tree) and the transcript."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf
import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.queries import learner_by_number
from lms.catalog.models import Programme, ProgrammeKind, ProgrammeVersion, Unit
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.audit.figures import figures_of
from lms.progress.queries import learner_programmes
from lms.progress.services import refresh_progress
from lms.results import decisions
from lms.results.models import CreditSource
from tests.helpers import login

PASSWORD = "demo-lms-2026"
NUMBER = "100000W"


def unit(code, status, ects, in_progress=0):
    return {
        "kind": "unit",
        "unit": code,
        "status": status,
        "earned_ects": ects if status == "met" else 0,
        "in_progress_ects": in_progress,
        "applied": [],
        "children": [],
    }


def group(kind, status, children, **rule):
    return {
        "kind": kind,
        "status": status,
        "earned_ects": sum(c["earned_ects"] for c in children),
        "in_progress_ects": sum(c["in_progress_ects"] for c in children),
        "applied": [],
        "children": children,
        **rule,
    }


def test_a_group_met_with_more_options_than_it_asks_counts_the_cheapest_set():
    tree = group(
        "all",
        "unmet",
        [
            unit("A", "met", 6),
            group("choose", "met", [unit("B", "met", 6), unit("C", "met", 3), unit("X", "unmet", 6)], choose=1),
            unit("D", "unmet", 6),
        ],
    )
    result = {"status": "incomplete", "nominal_ects": 30, "missing_ects": 6, "requirements": tree, "unused": ["E"]}
    found = figures_of(result, unit_ects={"E": 4})
    assert (found.validated, found.in_progress, found.to_validate) == (9, 0, 6)  # A + C, not A + B + C
    assert found.surplus == 6 + 4  # B beyond the group's needs, E applied nowhere
    assert found.elsewhere == ("E",)
    assert found.differs and found.validated + found.to_validate == 15 != found.nominal
    assert found.path_total == 15 and found.share("validated") == 60.0 and found.share("beyond_in_progress") == 40.0


def test_in_progress_counts_only_what_the_group_still_needs():
    tree = group(
        "credits",
        "in_progress",
        [unit("F", "met", 6), unit("G", "in_progress", 0, 6), unit("H", "in_progress", 0, 3)],
        credits=9,
    )
    result = {"status": "in_progress", "nominal_ects": 9, "missing_ects": 3, "requirements": tree, "unused": []}
    found = figures_of(result)
    assert (found.validated, found.in_progress, found.surplus) == (6, 3, 0)
    assert not found.differs and found.path_total == 9


def test_nothing_left_in_ects_yet_incomplete_is_said():
    tree = group("all", "unmet", [unit("A", "met", 6), unit("UA0", "unmet", 0)])
    found = figures_of({"status": "incomplete", "nominal_ects": 6, "missing_ects": 0, "requirements": tree})
    assert found.zero_ects_left and not found.differs
    cannot = figures_of({"status": "incomplete", "nominal_ects": 6, "missing_ects": None, "requirements": tree})
    assert not cannot.completable and not cannot.zero_ects_left and cannot.beyond_in_progress == 0


# --- on every page -------------------------------------------------------------------------------------


def words(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text.replace("&#39;", "'").replace("&amp;", "&")).replace(" ,", ",")


@pytest.fixture
def surplus_app(demo_app):
    """The demo learner also holds STA001 (a second option where the licence asks for one) and is
    enrolled in a small certificate whose only missing unit is a 0-ECTS UA."""
    with demo_app.app_context():
        learner = learner_by_number(NUMBER)
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
        sta001 = db.session.scalar(sa.select(Unit).where(Unit.code == "STA001"))
        ua = db.session.scalar(sa.select(Unit).where(Unit.code == "UA2B30"))
        assert ua.ects == 0
        programme = Programme(code="FIG0001A")
        db.session.add(programme)
        version = ProgrammeVersion(
            programme=programme,
            version="2026",
            title="Certificat de test",
            kind=ProgrammeKind.CERTIFICAT_COMPETENCE,
            nominal_ects=12,
            requirements={"label": "Certificat", "all": [{"unit": "STA001"}, {"unit": "UA2B30"}]},
        )
        db.session.add(Enrolment(learner=learner, programme_version=version, enrolled_on=date(2026, 9, 1)))
        db.session.flush()
        decisions.grant_credit(admin, learner, sta001, CreditSource.TRANSFER, date(2026, 10, 1), "Transfert")
        refresh_progress([learner.id])
        db.session.commit()
    return demo_app


def expected(app) -> dict[str, object]:
    with app.app_context():
        learner = learner_by_number(NUMBER)
        ects = {u.code: u.ects for u in db.session.scalars(sa.select(Unit))}
        return {
            v.programme.code: figures_of(s.result, v.nominal_ects, ects) for _e, v, s in learner_programmes(learner)
        }


def assert_reconciled(text: str, found) -> None:
    """The words of the licence's figures, which do not add up to its nominal total."""
    licence = found["LG02501A"]
    assert licence.surplus >= 6 and licence.differs
    v, m, s = (str(int(x)) for x in (licence.validated, licence.to_validate, licence.surplus))
    assert f"{v} ECTS validés qui comptent ici" in text
    assert f"{int(licence.in_progress)} ECTS en cours" in text
    assert f"{m} ECTS restant à valider au moins" in text
    assert f"{s} ECTS détenus au-delà de ce que demande cette formation" in text
    assert "Total nominal : 180 ECTS." in text
    assert f"{v} validés + {m} restant à valider = {int(licence.validated + licence.to_validate)} ECTS" in text
    assert "moins que le total nominal" in text
    # The small certificate: incomplete with nothing left in ECTS, and said so.
    assert "Plus aucun ECTS à valider, mais des unités de 0 ECTS" in text


def signed_in(app, email):
    client = app.test_client()
    assert login(client, email, PASSWORD).status_code == 302
    return client


def test_the_words_add_up_on_the_dashboard_and_the_home_page(surplus_app):
    found = expected(surplus_app)
    assert found["LG02501A"].validated + found["LG02501A"].surplus > found["LG02501A"].validated
    client = signed_in(surplus_app, "apprenant@example.org")
    assert_reconciled(words(client.get("/me/").text), found)
    assert_reconciled(words(client.get("/").text), found)
    assert "Total nominal : 180 ECTS." in words(client.get("/me/programmes/LG02501A").text)


def test_the_staff_record_shows_the_figures_and_every_programmes_full_tree(surplus_app):
    found = expected(surplus_app)
    page = signed_in(surplus_app, "admin@example.org").get(f"/learners/{NUMBER}")
    assert page.status_code == 200
    text = words(page.text)
    assert_reconciled(text, found)
    # The missing 0-ECTS UA is visible, with its status, in the certificate's tree.
    assert re.search(r"pas encore satisfaite UA2B30 [^·]*· 0 ECTS", text), text
    assert "Expérience professionnelle" in text and "UAAL0T" in text  # the licence's tree too
    assert "par un résultat de l'auditeur" in text and "par votre résultat" not in text


def test_the_transcript_says_the_same(surplus_app):
    found = expected(surplus_app)
    response = signed_in(surplus_app, "apprenant@example.org").get("/me/transcript.pdf")
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    text = words("\n".join(page.extract_text() for page in reader.pages))
    assert_reconciled(text, found)


def test_the_stored_audit_and_the_reports_count_what_the_page_calls_validated(surplus_app):
    """The snapshot stores the validated ECTS that count here (not the audit's earned ECTS, extra
    options included), and the cohort report bins learners on it: one figure everywhere."""
    from lms.intakes.models import EnrolmentStatus
    from lms.progress.models import ProgressSnapshot
    from lms.reports.queries import Filters, cohorts, make_bins
    from lms.reports.queries.common import Scope

    found = expected(surplus_app)
    with surplus_app.app_context():
        learner = learner_by_number(NUMBER)
        stored = {v.programme.code: s for _e, v, s in learner_programmes(learner)}
        licence = stored["LG02501A"]
        assert licence.counted_ects == found["LG02501A"].validated < licence.earned_ects
        version = licence.enrolment.programme_version
        rows = db.session.execute(
            sa.select(ProgressSnapshot.counted_ects, ProgressSnapshot.earned_ects)
            .join(Enrolment, ProgressSnapshot.enrolment_id == Enrolment.id)
            .where(Enrolment.programme_version_id == version.id, Enrolment.status == EnrolmentStatus.ACTIVE)
        ).all()

        def bins(values):
            counts = {}
            for value in values:
                counts[value] = counts.get(value, 0) + 1
            return make_bins(version.nominal_ects, counts)

        (report,) = [c for c in cohorts(Scope(None), Filters(programme_id=version.programme_id))]
        assert report.bins == bins(counted for counted, _earned in rows)
        assert report.bins != bins(earned for _counted, earned in rows)  # the learner moved bins
