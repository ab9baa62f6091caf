"""Jury decisions: eligibility, award written with a fresh complete audit (all or nothing), the
certificate number and code, notification and event, on-the-way certificates."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, format_date

from lms.accounts.models import Learner, User
from lms.awards import queries, services
from lms.awards.models import Award
from lms.catalog.models import Programme
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.notifications.models import Notification
from lms.plugins import hookimpl
from tests.awards.world import (
    ADMIN,
    DIRECTOR,
    DONE,
    NOT_DONE,
    ON_THE_WAY,
    OTHER_DIRECTOR,
    build_world,
    today,
)
from tests.helpers import client_for, csrf_token


def _programme(code: str) -> Programme:
    return db.session.scalar(sa.select(Programme).where(Programme.code == code))


def _decide(client, code: str, keys: list[str], jury: str = "Jury CC136 du printemps", mention: str = "", day=None):
    page = client.get(f"/awards/programmes/{code}")
    assert page.status_code == 200, page.status_code
    return client.post(
        f"/awards/programmes/{code}",
        data={
            "csrf_token": csrf_token(page.text),
            "candidates": keys,
            "decided_on": (day or today()).isoformat(),
            "jury": jury,
            "mention": mention,
        },
    )


def test_eligibility_lists_complete_audits_and_claims(app):
    world = build_world(app)
    with app.app_context():
        rows = queries.eligible(_programme("CC13600A"))
        assert [(row.name, row.enrolled) for row in rows] == [("Alice Done", True), ("Chloé Ontheway", False)]
        assert rows[0].counted_ects == 12
        assert rows[1].key == f"{world.learners[ON_THE_WAY]}:{world.certificate_version}"
        assert queries.eligible(_programme("MR11401A")) == []


def test_award_by_a_director_with_number_code_notification_and_event(app):
    world = build_world(app)
    seen = []

    class Listener:
        @hookimpl
        def lms_award_granted(self, award):
            seen.append(award.certificate_number)

    with app.app_context():
        from lms.plugins.manager import plugin_manager

        plugin_manager().register(Listener(), name="award-listener")
    client = client_for(app, DIRECTOR)
    keys = [
        f"{world.learners[DONE]}:{world.certificate_version}",
        f"{world.learners[ON_THE_WAY]}:{world.certificate_version}",
    ]
    response = _decide(client, "CC13600A", keys, mention="bien")
    assert response.status_code == 302, response.text
    with app.app_context():
        awards = db.session.scalars(sa.select(Award).order_by(Award.certificate_number)).all()
        year = today().year
        assert [a.certificate_number for a in awards] == [f"CC13600A-{year}-0001", f"CC13600A-{year}-0002"]
        assert seen == [a.certificate_number for a in awards]
        for award in awards:
            assert len(award.verification_code) >= 16 and re.fullmatch(r"[A-Za-z0-9_-]+", award.verification_code)
            assert award.ects == 12 and award.mention == "bien" and award.jury == "Jury CC136 du printemps"
            assert award.enrolment.status == EnrolmentStatus.COMPLETED
        assert len({a.verification_code for a in awards}) == 2
        # the learner on the way to the master is now enrolled in the certificate too
        learner = db.session.get(Learner, world.learners[ON_THE_WAY])
        versions = set(
            db.session.scalars(sa.select(Enrolment.programme_version_id).where(Enrolment.learner_id == learner.id))
        )
        assert versions == {world.certificate_version, world.master_version}
        kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == learner.user_id)).all()
        assert "award_granted" in kinds
        body = db.session.scalar(
            sa.select(Notification.body).where(
                Notification.user_id == learner.user_id, Notification.kind == "award_granted"
            )
        )
        with force_locale(learner.user.locale or "fr"):
            assert f"Le jury du {format_date(awards[0].decided_on, 'long')} " in body  # in the learner's language
        assert queries.eligible(_programme("CC13600A")) == []
    # the next decision continues the sequence
    with app.app_context():
        assert services.certificate_number(_programme("CC13600A"), today()) == f"CC13600A-{today().year}-0003"


def test_award_refused_when_the_audit_is_not_complete_nothing_written(app):
    world = build_world(app)
    with app.app_context():
        director = db.session.scalar(sa.select(User).where(User.email == DIRECTOR))
        learner = db.session.get(Learner, world.learners[NOT_DONE])
        from lms.catalog.models import ProgrammeVersion

        version = db.session.get(ProgrammeVersion, world.certificate_version)
        with pytest.raises(services.AwardError, match="not complete|pas complet"):
            services.grant_award(director, learner, version, today(), "Jury")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0


@pytest.mark.sqlite_only
def test_bulk_decision_is_all_or_nothing_through_the_page(app):
    world = build_world(app)
    client = client_for(app, DIRECTOR)
    # Bob is not eligible: his key is not a choice of the form
    bad = _decide(
        client,
        "CC13600A",
        [
            f"{world.learners[DONE]}:{world.certificate_version}",
            f"{world.learners[NOT_DONE]}:{world.certificate_version}",
        ],
    )
    assert bad.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0


def test_stale_eligibility_is_refused_and_rolled_back(app):
    """The list said complete, the fresh audit says otherwise (a credit revoked since): refused,
    nothing written, not even the enrolment of the learner on the way."""
    world = build_world(app)
    with app.app_context():
        from lms.results.models import Credit

        for credit in db.session.scalars(sa.select(Credit).where(Credit.learner_id == world.learners[ON_THE_WAY])):
            credit.revoked_at = sa.func.now()
            credit.revoke_reason = "error"
        db.session.commit()
    client = client_for(app, DIRECTOR)
    response = _decide(
        client,
        "CC13600A",
        [
            f"{world.learners[DONE]}:{world.certificate_version}",
            f"{world.learners[ON_THE_WAY]}:{world.certificate_version}",
        ],
    )
    assert response.status_code == 422
    assert "not complete" in response.text or "pas complet" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Enrolment.id)).where(Enrolment.learner_id == world.learners[ON_THE_WAY])
            )
            == 1
        )


def test_the_transaction_rolls_back_when_a_later_step_fails(app, monkeypatch):
    world = build_world(app)

    def broken(*args, **kwargs):
        raise RuntimeError("notification service down")

    monkeypatch.setattr(services, "notify", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = client_for(app, DIRECTOR)
    response = _decide(client, "CC13600A", [f"{world.learners[ON_THE_WAY]}:{world.certificate_version}"])
    assert response.status_code == 500
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Enrolment.id)).where(Enrolment.learner_id == world.learners[ON_THE_WAY])
            )
            == 1
        )


@pytest.mark.sqlite_only
def test_future_date_and_missing_jury_are_refused(app):
    world = build_world(app)
    client = client_for(app, DIRECTOR)
    key = [f"{world.learners[DONE]}:{world.certificate_version}"]
    assert _decide(client, "CC13600A", key, day=today() + timedelta(days=3)).status_code == 422
    assert _decide(client, "CC13600A", key, jury="  ").status_code == 422
    assert _decide(client, "CC13600A", key, mention="cum laude").status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0


@pytest.mark.sqlite_only
def test_access_to_the_jury_pages(app):
    build_world(app)
    assert client_for(app, DIRECTOR).get("/awards/programmes/CC13600A").status_code == 200
    admin = client_for(app, ADMIN)
    assert admin.get("/awards/programmes/CC13600A").status_code == 200
    assert admin.get("/awards/programmes/NOPE").status_code == 404
    outsider = client_for(app, OTHER_DIRECTOR)
    assert outsider.get("/awards/programmes/CC13600A").status_code == 403
    assert client_for(app, DONE).get("/awards/programmes/CC13600A").status_code == 403
    index = outsider.get("/awards")
    assert index.status_code == 200 and "LG02501A" in index.text and "CC13600A" not in index.text
    assert app.test_client().get("/awards/programmes/CC13600A").status_code == 302  # to the login page


def test_a_concurrent_decision_gets_a_409_and_nothing_is_kept(app, monkeypatch):
    """Two juries numbering at the same time: the second one's number is taken (unique): 409, its
    award and the enrolment it created are rolled back."""
    world = build_world(app)
    client = client_for(app, DIRECTOR)
    assert _decide(client, "CC13600A", [f"{world.learners[DONE]}:{world.certificate_version}"]).status_code == 302
    monkeypatch.setattr(services, "_next_sequence", lambda prefix: 1)
    response = _decide(client, "CC13600A", [f"{world.learners[ON_THE_WAY]}:{world.certificate_version}"])
    assert response.status_code == 409
    assert "same time" in response.text or "même moment" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 1
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Enrolment.id)).where(Enrolment.learner_id == world.learners[ON_THE_WAY])
            )
            == 1
        )


@pytest.mark.sqlite_only
def test_the_jury_page_runs_a_constant_number_of_statements(app):
    from lms.accounts.models import Role
    from lms.catalog.models import ProgrammeVersion
    from lms.progress.services import refresh_progress
    from lms.results.models import Credit, CreditSource
    from tests.helpers import count_statements, make_user

    world = build_world(app)
    client = client_for(app, DIRECTOR)
    client.get("/awards/programmes/CC13600A")
    with count_statements(app) as few:
        assert client.get("/awards/programmes/CC13600A").status_code == 200
    for index in range(4):
        make_user(app, f"more{index}@example.org", [Role.LEARNER], name=f"More {index}")
    with app.app_context():
        version = db.session.get(ProgrammeVersion, world.certificate_version)
        from lms.catalog.models import Unit

        units = db.session.scalars(sa.select(Unit).where(Unit.code.in_(["NFA031", "NFA032"]))).all()
        ids = []
        for index in range(4):
            learner = db.session.scalar(sa.select(User).where(User.email == f"more{index}@example.org")).learner
            ids.append(learner.id)
            db.session.add(Enrolment(learner_id=learner.id, programme_version_id=version.id, enrolled_on=today()))
            for unit in units:
                db.session.add(
                    Credit(
                        learner_id=learner.id,
                        unit_id=unit.id,
                        source=CreditSource.DISPENSE,
                        granted_on=today(),
                        reason="test",
                    )
                )
        db.session.flush()
        refresh_progress(ids)
        db.session.commit()
    # and an award, so the sessions and awards tables are not empty
    assert _decide(client, "CC13600A", [f"{world.learners[DONE]}:{world.certificate_version}"]).status_code == 302
    with count_statements(app) as many:
        page = client.get("/awards/programmes/CC13600A")
        assert page.status_code == 200 and page.text.count('name="candidates"') == 5
    assert len(many) == len(few), (len(few), len(many))


@pytest.mark.sqlite_only
def test_the_pages_on_the_demo_data(demo_app):
    """Every programme's jury page opens for the administrator; the demo learner sees their
    (empty) list of diplomas."""
    from tests.e2e.support import DEMO_ACCOUNTS, DEMO_PASSWORD
    from tests.helpers import login

    admin = demo_app.test_client()
    assert login(admin, DEMO_ACCOUNTS["admin"], DEMO_PASSWORD).status_code == 302
    index = admin.get("/awards")
    assert index.status_code == 200
    codes = re.findall(r'href="/awards/programmes/([^"]+)"', index.text)
    assert codes
    for code in codes:
        assert admin.get(f"/awards/programmes/{code}").status_code == 200, code
    learner = demo_app.test_client()
    assert login(learner, DEMO_ACCOUNTS["learner"], DEMO_PASSWORD).status_code == 302
    page = learner.get("/awards")
    assert page.status_code == 200 and "/awards/programmes/" not in page.text
    tutor = demo_app.test_client()
    assert login(tutor, DEMO_ACCOUNTS["tutor"], DEMO_PASSWORD).status_code == 302
    assert tutor.get("/awards").status_code == 403
