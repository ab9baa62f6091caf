"""Substitutions (issue 11, section 3): the substitute is a unit the learner holds validated, or is
registered for (recorded as such, counted in progress); it stands for one unit only in a
programme; a substitute worth fewer ECTS than the unit it replaces needs the ECTS counted,
confirmed by the director, and the audit counts exactly that. Decisions are never dated in the
future (section 4)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.queries import learner_by_number
from lms.catalog.models import Unit
from lms.core.time import utcnow
from lms.extensions import db
from lms.progress.records import learner_record
from lms.results import decisions
from lms.results.models import CreditSource, Decision, Substitution
from tests.results.test_decisions import LEARNER, cc_snapshot, programme, unit, user


def leaf(learner, code: str) -> dict:
    tree = cc_snapshot(learner).result["requirements"]
    return next(child for child in tree["children"] if child.get("unit") == code)


def not_held(learner) -> Unit:
    """A unit of the catalogue the learner neither validated nor is registered for."""
    record = learner_record(learner)
    touched = {r.unit for r in record.results} | {c.unit for c in record.credits}
    return db.session.scalar(
        sa.select(Unit).where(Unit.code.not_in(touched), Unit.code != "RSX103").order_by(Unit.code).limit(1)
    )


def test_a_substitute_the_learner_does_not_hold_or_already_uses_is_refused(demo_app):
    with demo_app.app_context():
        learner = learner_by_number(LEARNER)
        director = user("directeur@example.org")
        cc = programme("CC0400A")
        stranger = not_held(learner)
        with pytest.raises(decisions.DecisionError) as refused:
            decisions.add_substitution(director, learner, cc, stranger, unit("RSX103"), "Jury", counted_ects=Decimal(1))
        assert refused.value.field == "substitute"
        assert f"{stranger.code} n'est ni validée ni suivie par cet auditeur" in str(refused.value)

        held = sorted(cc_snapshot(learner).result["unused"])
        first, other_leaf = (
            unit(held[0]),
            next(
                child["unit"]
                for child in cc_snapshot(learner).result["requirements"]["children"]
                if child.get("unit") not in (None, "RSX103") and child["status"] != "met"
            ),
        )
        counted = unit("RSX103").ects if first.ects < unit("RSX103").ects else None
        decisions.add_substitution(director, learner, cc, first, unit("RSX103"), "Jury 2026-06", counted_ects=counted)
        with pytest.raises(decisions.DecisionError) as twice:
            decisions.add_substitution(director, learner, cc, first, unit(other_leaf), "Jury", counted_ects=Decimal(1))
        assert twice.value.field == "substitute"
        assert f"{first.code} remplace déjà RSX103 dans CC0400A" in str(twice.value)
        db.session.rollback()


def test_a_lower_ects_substitute_counts_the_confirmed_ects(demo_app):
    with demo_app.app_context():
        learner = learner_by_number(LEARNER)
        director = user("directeur@example.org")
        cc = programme("CC0400A")
        replaced = unit("RSX103")
        lower = next(
            (unit(code) for code in sorted(cc_snapshot(learner).result["unused"]) if unit(code).ects < replaced.ects),
            None,
        )
        assert lower is not None, "the demo learner holds a validated unit worth fewer ECTS than RSX103"
        with pytest.raises(decisions.DecisionError) as unconfirmed:
            decisions.add_substitution(director, learner, cc, lower, replaced, "Jury")
        assert unconfirmed.value.field == "counted_ects"
        assert "confirmez les ECTS comptés" in str(unconfirmed.value)
        with pytest.raises(decisions.DecisionError):  # more than the unit replaced
            decisions.add_substitution(director, learner, cc, lower, replaced, "Jury", counted_ects=replaced.ects + 1)
        with pytest.raises(decisions.DecisionError):
            decisions.add_substitution(director, learner, cc, lower, replaced, "Jury", counted_ects=Decimal("1.3"))
        row = decisions.add_substitution(director, learner, cc, lower, replaced, "Jury", counted_ects=lower.ects)
        assert db.session.get(Substitution, row.id).counted_ects == lower.ects
        assert row.substitute_registered is False
        met = leaf(learner, "RSX103")
        assert met["status"] == "met" and Decimal(str(met["earned_ects"])) == lower.ects
        assert met["applied"][0]["via"] == "substitution" and Decimal(str(met["applied"][0]["ects"])) == lower.ects
        db.session.rollback()


def test_a_registered_substitute_is_recorded_as_such_and_counts_in_progress(demo_app):
    with demo_app.app_context():
        learner = learner_by_number(LEARNER)
        director = user("directeur@example.org")
        cc = programme("CC0400A")
        replaced = unit("RSX103")
        registered = [r.unit for r in learner_record(learner).results if r.status == "registered"]
        assert registered, "the demo learner is registered for units this year"
        substitute = unit(registered[0])
        counted = substitute.ects if substitute.ects < replaced.ects else None
        row = decisions.add_substitution(director, learner, cc, substitute, replaced, "Jury", counted_ects=counted)
        assert row.substitute_registered is True
        pending = leaf(learner, "RSX103")
        assert pending["status"] == "in_progress" and pending["earned_ects"] == 0
        assert pending["applied"][0]["in_progress"] is True
        db.session.rollback()


def test_decisions_dated_in_the_future_are_refused(demo_app):
    with demo_app.app_context():
        learner = learner_by_number(LEARNER)
        director = user("directeur@example.org")
        tomorrow = utcnow().date() + timedelta(days=1)
        with pytest.raises(decisions.DecisionError) as credit:
            decisions.grant_credit(
                director, learner, unit("RSX103"), CreditSource.VES, tomorrow, "Diplôme", programme("CC0400A")
            )
        assert credit.value.field == "granted_on" and "est dans le futur" in str(credit.value)
        ua = db.session.scalar(sa.select(Unit).where(Unit.code.like("UA%")).order_by(Unit.code).limit(1))
        with pytest.raises(decisions.DecisionError) as activity:
            decisions.decide_activity(
                user("admin@example.org"), learner, ua, Decision.VALIDATED, tomorrow, "attestation"
            )
        assert activity.value.field == "decided_on"
        today = utcnow().date()  # today itself is fine
        assert (
            decisions.grant_credit(
                director, learner, unit("RSX103"), CreditSource.VES, today, "Diplôme", programme("CC0400A")
            ).granted_on
            == today
        )
        db.session.rollback()
