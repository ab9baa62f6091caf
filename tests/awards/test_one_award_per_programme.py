"""One award per learner and programme, whatever the version: the eligibility list shows one row
per learner (the enrolled version if met, else the newest met, and says which), the service
refuses a second valid award (409), the database refuses it too (partial unique index, also under
a concurrent decision on PostgreSQL); and a jury cannot sit before the exams it counts."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner, User
from lms.awards import queries, services
from lms.awards.models import Award
from lms.catalog.models import Programme, ProgrammeKind, ProgrammeVersion
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.services import refresh_progress
from tests.awards.world import DIRECTOR, DONE, ON_THE_WAY, build_world, today
from tests.helpers import client_for, csrf_token


def _programme(code: str = "CC13600A") -> Programme:
    return db.session.scalar(sa.select(Programme).where(Programme.code == code))


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def with_new_version(app, world) -> int:
    """A newer version of the certificate, met by Alice (enrolled in 2025) and Chloé (on the way):
    the re-audit records both as claims of the 2026 version ("obtenu en chemin")."""
    with app.app_context():
        version = ProgrammeVersion(
            programme=_programme(),
            version="2026",
            title="Programmation avancée (2026)",
            kind=ProgrammeKind.CERTIFICAT_COMPETENCE,
            nominal_ects=Decimal(12),
            requirements={"all": [{"unit": "NFA031"}, {"unit": "NFA032"}]},
        )
        db.session.add(version)
        db.session.flush()
        refresh_progress(list(world.learners.values()))
        db.session.commit()
        return version.id


def test_one_row_per_learner_and_programme_saying_which_version(app):
    world = build_world(app)
    newer = with_new_version(app, world)
    with app.app_context():
        rows = queries.eligible(_programme())
        assert [(row.name, row.version, row.enrolled) for row in rows] == [
            ("Alice Done", "2025", True),  # enrolled in 2025, met: the enrolled version
            ("Chloé Ontheway", "2026", False),  # not enrolled: the newest version met
        ]
        assert rows[1].programme_version_id == newer
    page = client_for(app, DIRECTOR).get("/awards/programmes/CC13600A")
    assert page.status_code == 200 and page.text.count('name="candidates"') == 2
    assert "enrolled version" in page.text or "version suivie" in page.text
    assert "newest version" in page.text or "version la plus récente" in page.text


def test_a_second_award_for_the_programme_is_refused_whatever_the_version(app):
    world = build_world(app)
    newer = with_new_version(app, world)
    with app.app_context():
        director = _user(DIRECTOR)
        alice = db.session.get(Learner, world.learners[DONE])
        services.grant_award(director, alice, db.session.get(ProgrammeVersion, world.certificate_version), today(), "J")
        db.session.commit()
        assert [row.name for row in queries.eligible(_programme())] == ["Chloé Ontheway"]
        with pytest.raises(services.AlreadyAwarded, match="already holds|déjà titulaire") as refused:
            services.grant_award(director, alice, db.session.get(ProgrammeVersion, newer), today(), "J")
        assert refused.value.status == 409
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(Enrolment.id)).where(Enrolment.learner_id == alice.id)) == 1
        # Both versions in one decision: refused too, nothing written.
        chloe = world.learners[ON_THE_WAY]
        both = [services.Candidate(chloe, world.certificate_version), services.Candidate(chloe, newer)]
        with pytest.raises(services.AlreadyAwarded):
            services.grant_awards(director, both, today(), "J")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 1


def test_after_a_revocation_the_programme_can_be_awarded_again(app):
    world = build_world(app)
    newer = with_new_version(app, world)
    with app.app_context():
        director = _user(DIRECTOR)
        alice = db.session.get(Learner, world.learners[DONE])
        award = services.grant_award(
            director, alice, db.session.get(ProgrammeVersion, world.certificate_version), today(), "J"
        )
        services.revoke_award(director, award, "Erreur de version")
        again = services.grant_award(director, alice, db.session.get(ProgrammeVersion, newer), today(), "J")
        db.session.commit()
        assert (again.learner_id, again.programme_id) == (award.learner_id, award.programme_id)


def test_the_database_refuses_a_second_valid_award(app):
    world = build_world(app)
    newer = with_new_version(app, world)
    with app.app_context():
        alice = world.learners[DONE]
        services.grant_award(
            _user(DIRECTOR),
            db.session.get(Learner, alice),
            db.session.get(ProgrammeVersion, world.certificate_version),
            today(),
            "J",
        )
        enrolment = Enrolment(learner_id=alice, programme_version_id=newer, enrolled_on=today())
        db.session.add(enrolment)
        db.session.flush()
        first = db.session.scalar(sa.select(Award))
        assert (first.learner_id, first.programme_id) == (alice, _programme().id)
        db.session.commit()
        twin = Award(
            enrolment_id=enrolment.id,  # learner and programme filled from the enrolment
            decided_on=today(),
            jury="J",
            ects=Decimal(12),
            certificate_number="CC13600A-1999-0001",
            verification_code="x" * 24,
        )
        db.session.add(twin)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_concurrent_decisions_for_two_versions_keep_one_award(app, monkeypatch):
    """Two juries decide at the same time for Chloé, one on each version (in different years, so
    the certificate numbers differ): the second checks while the first is written but not yet
    committed, so its check passes; the partial unique index refuses it (409), one award kept."""
    world = build_world(app)
    newer = with_new_version(app, world)
    written, checked = threading.Event(), threading.Event()
    original = services._refuse_second_awards

    def check(*args):
        original(*args)
        if threading.current_thread().name == "second":
            checked.set()

    monkeypatch.setattr(services, "_refuse_second_awards", check)
    outcomes: dict[str, object] = {}

    def decide(version_id: int, day) -> None:
        name = threading.current_thread().name
        with app.app_context():
            try:
                services.grant_award(
                    _user(DIRECTOR),
                    db.session.get(Learner, world.learners[ON_THE_WAY]),
                    db.session.get(ProgrammeVersion, version_id),
                    day,
                    "J",
                )
                if name == "first":
                    written.set()
                    assert checked.wait(30), "the second decision never checked"
                db.session.commit()
                outcomes[name] = "awarded"
            except services.Refusal as refusal:
                db.session.rollback()
                outcomes[name] = refusal.status
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                outcomes[name] = repr(error)
            finally:
                db.session.remove()

    first = threading.Thread(target=decide, args=(world.certificate_version, today()), name="first")
    second = threading.Thread(target=decide, args=(newer, today() - timedelta(days=370)), name="second")
    first.start()
    assert written.wait(60)
    second.start()
    first.join(60)
    second.join(60)
    assert outcomes == {"first": "awarded", "second": 409}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 1


def _with_an_exam(app, world, exam_on) -> None:
    """Alice passed NFA031 at an exam on ``exam_on`` (published result)."""
    from lms.catalog.models import Unit
    from lms.results.models import Result, ResultStatus
    from lms.timetable.models import Centre, Modality, Offering, Registration, Semester

    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == "NFA031"))
        offering = Offering(
            unit=unit,
            academic_year=exam_on.year - 1,
            semester=Semester.S1,
            modality=Modality.FOAD,
            centre=Centre(code="PAR", name="Cnam Paris", city="Paris"),
            exam1_on=exam_on,
        )
        registration = Registration(learner_id=world.learners[DONE], offering=offering)
        db.session.add_all([offering, registration])
        db.session.flush()
        db.session.add(
            Result(
                registration_id=registration.id,
                exam_session=1,
                grade=Decimal(14),
                status=ResultStatus.PUBLISHED,
                decided_on=exam_on + timedelta(days=5),
            )
        )
        db.session.flush()
        refresh_progress([world.learners[DONE]])
        db.session.commit()


def test_a_jury_dated_before_the_exam_is_refused(app):
    world = build_world(app)
    exam_on = today() - timedelta(days=10)
    _with_an_exam(app, world, exam_on)
    client = client_for(app, DIRECTOR)
    key = f"{world.learners[DONE]}:{world.certificate_version}"
    page = client.get("/awards/programmes/CC13600A")
    data = {"csrf_token": csrf_token(page.text), "candidates": [key], "jury": "Jury", "mention": ""}
    early = client.post("/awards/programmes/CC13600A", data={**data, "decided_on": (exam_on - timedelta(days=1))})
    assert early.status_code == 422
    assert "NFA031" in early.text and ("before the exam" in early.text or "antérieure à l" in early.text)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0
    done = client.post("/awards/programmes/CC13600A", data={**data, "decided_on": exam_on.isoformat()})
    assert done.status_code == 302
