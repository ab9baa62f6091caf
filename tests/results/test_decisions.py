"""Directors' decisions: credits and substitutions, in their programmes only, re-auditing at once,
revocations kept on record."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.queries import learner_by_number
from lms.catalog.models import Programme, Unit
from lms.extensions import db
from lms.progress.models import ProgressSnapshot
from lms.results import decisions
from lms.results.models import Credit, CreditSource, Substitution

LEARNER = "100000W"  # the demo learner: LG02501A and CC0400A


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def programme(code: str) -> Programme:
    return db.session.scalar(sa.select(Programme).where(Programme.code == code))


def cc_snapshot(learner) -> ProgressSnapshot:
    from lms.catalog.models import ProgrammeVersion
    from lms.intakes.models import Enrolment

    return db.session.scalar(
        sa.select(ProgressSnapshot)
        .join(Enrolment)
        .join(ProgrammeVersion)
        .join(Programme)
        .where(Enrolment.learner_id == learner.id, Programme.code == "CC0400A")
    )


def test_director_grants_and_revokes_a_ves_credit_with_instant_progress(demo_app):
    with demo_app.app_context():
        learner = learner_by_number(LEARNER)
        director = user("directeur@example.org")  # directs LG02501A, CC0400A, CYC9106A
        before = cc_snapshot(learner).earned_ects
        credit = decisions.grant_credit(
            director,
            learner,
            unit("RSX103"),
            CreditSource.VES,
            date(2026, 11, 1),
            "Diplôme étranger",
            programme("CC0400A"),
        )
        assert cc_snapshot(learner).earned_ects == before + unit("RSX103").ects
        with pytest.raises(decisions.DecisionError):
            decisions.grant_credit(
                director, learner, unit("RSX103"), CreditSource.VES, date(2026, 11, 1), "again", programme("CC0400A")
            )
        with pytest.raises(decisions.DecisionError):
            decisions.revoke_credit(director, credit, "  ")
        decisions.revoke_credit(director, credit, "Pièce justificative manquante")
        assert cc_snapshot(learner).earned_ects == before
        row = db.session.get(Credit, credit.id)  # kept, with who and why
        assert row.revoked_at is not None and row.revoked_by_id == director.id and row.revoke_reason
        db.session.rollback()


@pytest.mark.sqlite_only
def test_directors_decide_only_in_their_programmes(demo_app):
    with demo_app.app_context():
        learner = learner_by_number(LEARNER)
        other = user("directrice.master@example.org")  # directs the master, CS and the RNCP title
        tutor = user("enseignant@example.org")
        with pytest.raises(decisions.NotAllowed):
            decisions.grant_credit(
                other, learner, unit("RSX103"), CreditSource.VES, date(2026, 11, 1), "x", programme("CC0400A")
            )
        with pytest.raises(decisions.NotAllowed):  # VAE names no programme: the learner is in none of hers
            decisions.grant_credit(other, learner, unit("RSX103"), CreditSource.VAE, date(2026, 11, 1), "x")
        with pytest.raises(decisions.NotAllowed):
            decisions.grant_credit(tutor, learner, unit("RSX103"), CreditSource.VAE, date(2026, 11, 1), "x")
        with pytest.raises(decisions.DecisionError):
            decisions.grant_credit(
                user("admin@example.org"), learner, unit("RSX103"), CreditSource.VES, date(2026, 11, 1), "no programme"
            )
        assert decisions.grant_credit(
            user("admin@example.org"), learner, unit("RSX103"), CreditSource.VAE, date(2026, 11, 1), "jury VAE"
        ).id
        db.session.rollback()


def test_substitution_meets_the_leaf_and_a_revoked_one_stays_on_record(demo_app):
    with demo_app.app_context():
        learner = learner_by_number(LEARNER)
        director = user("directeur@example.org")
        cc = programme("CC0400A")

        def leaf(code: str) -> dict:
            tree = cc_snapshot(learner).result["requirements"]
            return next(child for child in tree["children"] if child.get("unit") == code)

        # the demo learner holds validated UTC units; let one stand for RSX103
        holdings = set(cc_snapshot(learner).result["unused"])
        substitute = unit(sorted(holdings)[0])
        assert leaf("RSX103")["status"] != "met"
        first = decisions.add_substitution(director, learner, cc, substitute, unit("RSX103"), "Jury 2026-06")
        assert leaf("RSX103")["status"] == "met"
        assert leaf("RSX103")["applied"][0]["via"] == "substitution"
        with pytest.raises(decisions.DecisionError):
            decisions.add_substitution(director, learner, cc, substitute, unit("RSX103"), "twice")
        decisions.revoke_substitution(director, first, "Erreur de saisie")
        assert leaf("RSX103")["status"] != "met"
        decisions.add_substitution(director, learner, cc, substitute, unit("RSX103"), "Jury 2026-11")
        rows = db.session.scalars(sa.select(Substitution).where(Substitution.learner_id == learner.id)).all()
        assert len(rows) == 2 and sum(row.revoked_at is None for row in rows) == 1
        db.session.rollback()
