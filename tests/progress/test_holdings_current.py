"""Progress is always current (DESIGN principle 2): after every write that changes what the audit
sees, committed like a request commits, the stored snapshots of the learners concerned equal a
fresh audit from the database — the one ``lms audit --learner`` prints."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts import services as accounts
from lms.accounts.models import Learner, Role, User
from lms.accounts.queries import learner_by_number
from lms.catalog.models import Programme, ProgrammeVersion, Unit
from lms.core import holdings
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.progress.cli import _audit_from_database
from lms.progress.models import ProgressSnapshot
from lms.progress.records import learner_record
from lms.results import decisions
from lms.results import services as results
from lms.results.models import ActivityDecision, Credit, CreditSource, Decision, Result, ResultStatus, Substitution
from lms.timetable.models import Offering, Registration, RegistrationStatus, Semester
from lms.timetable.services import registrations
from tests.helpers import csrf_token, login

DEMO_LEARNER = "100000W"
DEMO_PASSWORD = "demo-lms-2026"


# --- the check --------------------------------------------------------------------------------------


def stored(number: str) -> dict[tuple[str, str], dict]:
    rows = db.session.execute(
        sa.select(ProgressSnapshot.result, Programme.code, ProgrammeVersion.version)
        .join(Enrolment, ProgressSnapshot.enrolment_id == Enrolment.id)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .join(Learner, Enrolment.learner_id == Learner.id)
        .where(Learner.learner_number == number)
    ).all()
    return {(code, version): result for result, code, version in rows}


def enrolled(number: str) -> set[tuple[str, str]]:
    return set(
        db.session.execute(
            sa.select(Programme.code, ProgrammeVersion.version)
            .join(ProgrammeVersion, ProgrammeVersion.programme_id == Programme.id)
            .join(Enrolment, Enrolment.programme_version_id == ProgrammeVersion.id)
            .join(Learner, Enrolment.learner_id == Learner.id)
            .where(Learner.learner_number == number)
        ).all()
    )


def assert_current(*numbers: str, after: str) -> None:
    """Commit, then compare every stored snapshot of these learners with a fresh audit."""
    db.session.commit()
    for number in numbers:
        snapshots, programmes = stored(number), enrolled(number)
        assert set(snapshots) == programmes, f"{number}: an enrolment without its snapshot after {after}"
        for code, version in sorted(programmes):
            fresh = _audit_from_database(number, code, version, None)  # ends the session, like the CLI
            assert snapshots[(code, version)] == fresh, f"{number} {code} {version}: stale after {after}"


def number_of(learner: Learner) -> str:
    return learner.learner_number


def demo_learner() -> Learner:
    return learner_by_number(DEMO_LEARNER)


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def offering(code: str, year: int, semester: Semester) -> Offering:
    return db.session.scalar(
        sa.select(Offering)
        .join(Unit, Offering.unit_id == Unit.id)
        .where(Unit.code == code, Offering.academic_year == year, Offering.semester == semester)
        .order_by(Offering.id)
        .limit(1)
    )


def unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def programme(code: str) -> Programme:
    return db.session.scalar(sa.select(Programme).where(Programme.code == code))


def new_learner(email: str, programme_code: str = "LG02501A") -> str:
    learner = accounts.create_user(
        email, email.split("@")[0].title(), [Role.LEARNER], password="long enough pw"
    ).learner
    version = programme(programme_code).current_version
    db.session.add(Enrolment(learner=learner, programme_version=version, enrolled_on=date(2025, 9, 1)))
    db.session.flush()
    return learner.learner_number


def open_window(row: Offering) -> None:
    row.registration_opens_on = None
    row.registration_closes_on = None


# --- registrations -----------------------------------------------------------------------------------


def test_registering_and_withdrawing_keep_progress_current(demo_app):
    with demo_app.app_context():
        ang320 = offering("ANG320", 2026, Semester.S2)
        open_window(ang320)
        db.session.commit()
        row = registrations.register(demo_learner(), ang320)
        assert row.status is RegistrationStatus.REGISTERED
        row_id = row.id
        assert_current(DEMO_LEARNER, after="a registration")

        registrations.withdraw(db.session.get(Registration, row_id))
        assert_current(DEMO_LEARNER, after="a withdrawal")


def test_waitlist_promotions_keep_progress_current(demo_app):
    with demo_app.app_context():
        full = offering("ANG320", 2026, Semester.S2)
        open_window(full)
        full.capacity = 1
        first, second, third = (new_learner(f"wait{i}@example.org") for i in range(3))
        rows = {number: registrations.register(learner_by_number(number), full) for number in (first, second, third)}
        assert rows[second].status is rows[third].status is RegistrationStatus.WAITLISTED
        first_row, full_id = rows[first].id, full.id
        assert_current(first, second, third, after="registrations and a waiting list")

        promoted = registrations.withdraw(db.session.get(Registration, first_row))
        assert [row.learner.learner_number for row in promoted] == [second]
        assert_current(first, second, after="a withdrawal promoting the next in line")

        full = db.session.get(Offering, full_id)
        full.capacity = 5
        assert [row.learner.learner_number for row in registrations.promote_from_waitlist(full)] == [third]
        assert_current(third, after="a capacity raised")


def test_the_dashboard_follows_a_registration_made_through_the_pages(demo_app):
    """Issue 11: registered to ANG320 S2 2026, the learner's home said 15 ECTS in progress while
    the timeline and ``lms audit`` said 21."""
    with demo_app.app_context():
        ang320 = offering("ANG320", 2026, Semester.S2)
        open_window(ang320)
        db.session.commit()
        offering_id, ects = ang320.id, ang320.unit.ects
        before = {key: result["in_progress_ects"] for key, result in stored(DEMO_LEARNER).items()}
    client = demo_app.test_client()
    login(client, "apprenant@example.org", DEMO_PASSWORD)
    token = csrf_token(client.get("/").text)
    answer = client.post(f"/offerings/{offering_id}/register", data={"csrf_token": token})
    assert answer.status_code == 302
    with demo_app.app_context():
        assert_current(DEMO_LEARNER, after="a registration through the page")
        licence = stored(DEMO_LEARNER)[next(key for key in before if key[0] == "LG02501A")]
        key = next(key for key in before if key[0] == "LG02501A")
        assert Decimal(str(licence["in_progress_ects"])) == Decimal(str(before[key])) + ects
    home = client.get("/").text
    assert re.search(rf"\b{str(licence['in_progress_ects']).removesuffix('.0')}\b", home)

    answer = client.post(f"/offerings/{offering_id}/withdraw", data={"csrf_token": csrf_token(home)})
    assert answer.status_code == 302
    with demo_app.app_context():
        assert_current(DEMO_LEARNER, after="a withdrawal through the page")
        assert stored(DEMO_LEARNER)[key]["in_progress_ects"] == before[key]


# --- results -------------------------------------------------------------------------------------------


def test_publishing_and_correcting_results_keep_progress_current(demo_app):
    with demo_app.app_context():
        number = new_learner("graded@example.org")
        sheet = offering("ANG100", 2025, Semester.S1)
        registration = Registration(
            learner=learner_by_number(number), offering=sheet, status=RegistrationStatus.REGISTERED
        )
        db.session.add(registration)
        db.session.flush()
        registration_id = registration.id
        row = results.RowInput(registration_id=registration_id, grade="14")
        results.save_sheet(sheet, 1, [row], user("admin@example.org"), publish=True, today=date(2026, 2, 10))
        assert_current(number, after="a result published")

        result = db.session.scalar(sa.select(Result).where(Result.registration_id == registration_id))
        assert result.status is ResultStatus.PUBLISHED
        results.correct_result(
            result,
            results.Value(grade=Decimal(6)),
            "copie mal reportée",
            user("admin@example.org"),
            today=date(2027, 1, 1),
        )
        assert_current(number, after="a result corrected")


# --- directors' decisions ------------------------------------------------------------------------------


def test_credits_substitutions_and_activity_decisions_keep_progress_current(demo_app):
    with demo_app.app_context():
        admin = user("admin@example.org")
        learner = demo_learner()
        licence = programme("LG02501A")
        credit = decisions.grant_credit(
            admin, learner, unit("NFA031"), CreditSource.VAE, date(2026, 6, 1), "VAE partielle", licence
        )
        credit_id = credit.id
        assert_current(DEMO_LEARNER, after="a credit granted")
        decisions.revoke_credit(user("admin@example.org"), db.session.get(Credit, credit_id), "erreur de saisie")
        assert_current(DEMO_LEARNER, after="a credit revoked")

        held = learner_record(demo_learner()).results  # a substitute must be a unit the learner holds
        code = next(r.unit for r in held if r.unit != "NFA031" and r.grade is not None and r.grade >= 12)
        counted = unit("NFA031").ects if unit(code).ects < unit("NFA031").ects else None
        substitution = decisions.add_substitution(
            user("admin@example.org"),
            demo_learner(),
            programme("LG02501A"),
            unit(code),
            unit("NFA031"),
            "jury",
            counted_ects=counted,
        )
        substitution_id = substitution.id
        assert_current(DEMO_LEARNER, after="a substitution")
        decisions.revoke_substitution(
            user("admin@example.org"), db.session.get(Substitution, substitution_id), "annulée"
        )
        assert_current(DEMO_LEARNER, after="a substitution revoked")

        learner = demo_learner()
        ua = db.session.scalar(sa.select(Unit).where(Unit.code.like("UA%")).order_by(Unit.code).limit(1))
        ua_code = ua.code
        live = db.session.scalar(
            sa.select(ActivityDecision).where(
                ActivityDecision.learner_id == learner.id,
                ActivityDecision.revoked_at.is_(None),
                ActivityDecision.unit_id == ua.id,
            )
        )
        if live is not None:
            decisions.revoke_activity_decision(user("admin@example.org"), live, "revue")
            assert_current(DEMO_LEARNER, after="an activity decision revoked")
        row = decisions.decide_activity(
            user("admin@example.org"),
            demo_learner(),
            unit(ua_code),
            Decision.VALIDATED,
            date(2026, 6, 1),
            "attestation",
        )
        row_id = row.id
        assert_current(DEMO_LEARNER, after="an activity decided")
        decisions.revoke_activity_decision(
            user("admin@example.org"), db.session.get(ActivityDecision, row_id), "pièce manquante"
        )
        assert_current(DEMO_LEARNER, after="an activity decision revoked")


# --- enrolments ------------------------------------------------------------------------------------------


def test_enrolments_created_moved_and_closed_keep_progress_current(demo_app):
    from lms.intakes.services.enrolments import enrol_directly, move_enrolment, newer_versions

    with demo_app.app_context():
        learner = accounts.create_user("enrol@example.org", "Enrol", [Role.LEARNER], password="long enough pw").learner
        number = learner.learner_number
        db.session.add(
            Registration(
                learner=learner, offering=offering("ANG320", 2026, Semester.S1), status=RegistrationStatus.REGISTERED
            )
        )
        movable = programme("LG02501A")
        current = movable.current_version
        movable.versions.append(
            ProgrammeVersion(
                version="2099",
                title=current.title,
                kind=current.kind,
                nominal_ects=current.nominal_ects,
                requirements=current.requirements,
            )
        )
        enrolment_id = enrol_directly(learner, movable.versions[0], date(2026, 9, 1)).id
        assert_current(number, after="an enrolment created")

        enrolment = db.session.get(Enrolment, enrolment_id)
        moved_id = move_enrolment(enrolment, newer_versions(enrolment)[0], date(2026, 10, 1)).id
        assert_current(number, after="an enrolment moved")

        db.session.get(Enrolment, moved_id).status = EnrolmentStatus.WITHDRAWN
        assert_current(number, after="an enrolment closed")


# --- the catalogue -----------------------------------------------------------------------------------------


def test_an_equivalence_import_re_audits_every_learner_it_concerns(demo_app, tmp_path):
    from lms.catalog.services import apply_import, plan_import
    from lms.demo import CATALOG_DIR
    from lms.progress.audit.catalogue import read_catalog

    with demo_app.app_context():
        numbers = [new_learner(f"eq{i}@example.org") for i in range(2)]
        for number in numbers:
            for code in ("ANG100", "BCA001"):
                registration = Registration(
                    learner=learner_by_number(number),
                    offering=offering(code, 2024, Semester.S1),
                    status=RegistrationStatus.REGISTERED,
                )
                db.session.add(
                    Result(
                        registration=registration,
                        exam_session=1,
                        grade=Decimal(13),
                        status=ResultStatus.PUBLISHED,
                        decided_on=date(2025, 2, 3),
                    )
                )
        assert_current(*numbers, after="results written straight into the session")

        (tmp_path / "eq.yaml").write_text("equivalences:\n  - {units: [ANG100, BCA001], counts_as: NFA031}\n")
        apply_import(plan_import(read_catalog([CATALOG_DIR, tmp_path / "eq.yaml"])))
        everyone = db.session.scalars(sa.select(Learner.learner_number).join(Enrolment).distinct()).all()
        assert_current(*everyone, after="an equivalence import")


def test_a_unit_whose_ects_change_re_audits_everyone(demo_app):
    with demo_app.app_context():
        unit("ANG100").ects = Decimal(4)
        assert_current(DEMO_LEARNER, after="a unit's ECTS changed")


# --- the mechanism ----------------------------------------------------------------------------------------


def test_a_write_path_that_forgets_nothing_still_re_audits(demo_app):
    """No call to make: a credit written straight into the session is noticed at commit."""
    with demo_app.app_context():
        learner = demo_learner()
        db.session.add(
            Credit(
                learner_id=learner.id,
                unit_id=unit("NFA031").id,
                source=CreditSource.DISPENSE,
                granted_on=date(2026, 1, 5),
                reason="test",
            )
        )
        assert_current(DEMO_LEARNER, after="a credit written without a service")


def test_the_hook_fires_once_per_transaction_with_every_learner(demo_app):
    from lms.plugins import hookimpl

    calls = []

    class Listener:
        @staticmethod
        @hookimpl
        def lms_holdings_changed(learner_ids, reason):
            calls.append((learner_ids, reason))

    with demo_app.app_context():
        from lms.plugins.manager import plugin_manager

        pm = plugin_manager()
        pm.register(Listener, name="listener")
        try:
            numbers = [new_learner(f"once{i}@example.org") for i in range(3)]
            ids = {learner_by_number(n).id for n in numbers}
            for learner_id in ids:
                db.session.add(
                    Registration(
                        learner_id=learner_id,
                        offering_id=offering("ANG320", 2026, Semester.S1).id,
                        status=RegistrationStatus.REGISTERED,
                    )
                )
            db.session.flush()
            db.session.flush()
            assert calls == []
            db.session.commit()
            assert len(calls) == 1 and calls[0][0] == frozenset(ids)
            assert calls[0][1] == "enrolments, registrations"
            db.session.commit()
            assert len(calls) == 1  # nothing new: nothing fired
        finally:
            pm.unregister(name="listener")


def test_a_rolled_back_change_fires_nothing(demo_app):
    with demo_app.app_context():
        learner = demo_learner()
        learner_id = learner.id
        db.session.add(
            Registration(
                learner_id=learner_id,
                offering_id=offering("ANG320", 2026, Semester.S2).id,
                status=RegistrationStatus.REGISTERED,
            )
        )
        db.session.flush()
        db.session.rollback()
        assert not db.session.info.get("lms.holdings.pending")


def test_every_table_the_audit_reads_is_tracked():
    from lms.catalog.models import Equivalence

    read_by_the_audit = {
        Registration, Offering, Result, Credit, Substitution, ActivityDecision, Enrolment, Unit, Equivalence,
        ProgrammeVersion,
    }  # fmt: skip
    assert read_by_the_audit <= set(holdings.sources())
    assert ProgressSnapshot not in holdings.sources()  # the re-audit's own writes never retrigger it


def test_a_draft_result_concerns_nobody_until_it_is_published(demo_app):
    from lms.plugins import hookimpl
    from lms.plugins.manager import plugin_manager

    calls = []

    class Listener:
        @staticmethod
        @hookimpl
        def lms_holdings_changed(learner_ids, reason):
            calls.append((learner_ids, reason))

    with demo_app.app_context():
        plugin_manager().register(Listener, name="listener")
        try:
            number = new_learner("draft@example.org")
            sheet = offering("ANG100", 2025, Semester.S1)
            registration = Registration(learner=learner_by_number(number), offering=sheet, status="registered")
            db.session.add(registration)
            db.session.commit()
            calls.clear()
            row = results.RowInput(registration_id=registration.id, grade="12")
            results.save_sheet(sheet, 1, [row], user("admin@example.org"), publish=False, today=date(2026, 1, 10))
            db.session.commit()
            assert calls == []
            result = db.session.scalar(sa.select(Result).where(Result.registration_id == registration.id))
            row = results.RowInput(registration_id=registration.id, grade="13", version=result.version)
            results.save_sheet(sheet, 1, [row], user("admin@example.org"), publish=True, today=date(2026, 2, 10))
            # Publishing concerns that learner only (the sheet's savepoint may settle it twice).
            assert calls and {ids for ids, _ in calls} == {frozenset({registration.learner_id})}
            assert_current(number, after="a draft published")
        finally:
            plugin_manager().unregister(name="listener")
