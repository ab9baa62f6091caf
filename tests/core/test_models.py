"""The database refuses bad rows, on both engines: constraints, foreign keys, enumerations, the
requirement tree, append-only tables, optimistic locking and the SQLite connection settings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

import lms.models  # noqa: F401  (every mapper, for the tests that build objects without an app)
from lms.accounts.models import Learner, Role
from lms.accounts.services import create_user
from lms.catalog.models import Programme, ProgrammeKind, ProgrammeVersion, Unit, UnitKind
from lms.core.db import AppendOnlyError
from lms.core.models import AuditEvent, AuditLog
from lms.core.time import utcnow
from lms.extensions import db
from lms.progress.audit.requirements import RequirementError
from lms.results.models import Credit, CreditSource, HistoryAction, Result, ResultHistory
from lms.timetable.models import Centre, Modality, Offering, Registration, Semester

# --- small builders -----------------------------------------------------------------------------


def add(*objects):
    db.session.add_all(objects)
    db.session.flush()
    return objects[0] if len(objects) == 1 else objects


def make_learner(email: str = "learner@example.org") -> Learner:
    user = create_user(email, "Learner", [Role.LEARNER])
    return user.learner


def make_unit(code: str = "NFA031", ects: Decimal | int = 6, kind: UnitKind = UnitKind.UE) -> Unit:
    return add(Unit(code=code, title=f"Unit {code}", ects=Decimal(ects), kind=kind))


def make_offering(unit: Unit | None = None) -> Offering:
    unit = unit or make_unit()
    centre = Centre(code=f"C{unit.id}", name="Cnam Paris", city="Paris")
    return add(Offering(unit=unit, academic_year=2025, semester=Semester.S1, modality=Modality.FOAD, centre=centre))


def make_registration(learner: Learner | None = None, offering: Offering | None = None) -> Registration:
    return add(Registration(learner=learner or make_learner(), offering=offering or make_offering()))


def make_programme(code: str = "LG02501A") -> Programme:
    return add(Programme(code=code))


def make_version(programme: Programme, version: str = "2025", requirements=None) -> ProgrammeVersion:
    return ProgrammeVersion(
        programme=programme,
        version=version,
        title="Licence informatique",
        kind=ProgrammeKind.LICENCE,
        nominal_ects=Decimal(180),
        requirements=requirements or {"all": [{"unit": "NFA031"}]},
    )


def make_result(registration: Registration | None = None, **values) -> Result:
    values.setdefault("exam_session", 1)
    return add(Result(registration=registration or make_registration(), **values))


def refused(*objects, error: type[Exception] = IntegrityError) -> None:
    """Adding ``objects`` fails at flush with ``error``; the session is rolled back."""
    db.session.add_all(objects)
    with pytest.raises(error):
        db.session.flush()
    db.session.rollback()


def refused_sql(statement: str, params: dict | None = None, error: type[Exception] = IntegrityError) -> DBAPIError:
    with pytest.raises(error) as info:
        db.session.execute(sa.text(statement), params or {})
    db.session.rollback()
    return info.value


# --- constraints ---------------------------------------------------------------------------------


def test_unit_code_is_unique(app):
    with app.app_context():
        make_unit("NFA031")
        db.session.commit()
        refused(Unit(code="NFA031", title="Twin", ects=Decimal(3), kind=UnitKind.UE))
        make_unit("NFA032")  # another code is fine
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 2


def test_programme_version_is_unique_within_its_programme(app):
    with app.app_context():
        programme = make_programme("LG02501A")
        other = make_programme("CPN0400A")
        add(make_version(programme, "2025"))
        db.session.commit()
        refused(make_version(programme, "2025"))
        programme, other = db.session.get(Programme, programme.id), db.session.get(Programme, other.id)
        add(make_version(programme, "2026"), make_version(other, "2025"))  # same version, other programme
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(ProgrammeVersion.id))) == 3


def test_one_result_per_registration_and_exam_session(app):
    with app.app_context():
        registration = make_registration()
        make_result(registration, exam_session=1)
        db.session.commit()
        refused(Result(registration_id=registration.id, exam_session=1))
        make_result(db.session.get(Registration, registration.id), exam_session=2)
        db.session.commit()


def test_exam_session_is_1_or_2(app):
    with app.app_context():
        registration = make_registration()
        db.session.commit()
        for session_number in (0, 3, -1):
            refused(Result(registration_id=registration.id, exam_session=session_number))
        add(Result(registration_id=registration.id, exam_session=2))
        db.session.commit()


def test_grade_is_between_0_and_20(app):
    with app.app_context():
        registrations = [
            make_registration(make_learner(f"l{i}@example.org"), make_offering(make_unit(f"NFA03{i}")))
            for i in range(4)
        ]
        ids = [r.id for r in registrations]
        db.session.commit()
        refused(Result(registration_id=ids[0], exam_session=1, grade=Decimal(21)))
        refused(Result(registration_id=ids[1], exam_session=1, grade=Decimal(-1)))
        refused(Result(registration_id=ids[1], exam_session=1, grade=Decimal("20.01")))
        add(
            Result(registration_id=ids[2], exam_session=1, grade=Decimal(0)),
            Result(registration_id=ids[3], exam_session=1, grade=Decimal(20)),
        )
        db.session.commit()
        grades = db.session.scalars(sa.select(Result.grade).order_by(Result.grade)).all()
        assert grades == [Decimal(0), Decimal(20)]


def test_unit_ects_cannot_be_negative(app):
    with app.app_context():
        refused(Unit(code="NFA031", title="Negative", ects=Decimal(-1), kind=UnitKind.UE))
        make_unit("NFA031", ects=0)  # zero is allowed
        db.session.commit()


def test_unknown_enum_value_is_refused_by_the_database(app):
    with app.app_context():
        insert = (
            "INSERT INTO units (code, title, ects, kind, created_at) VALUES (:code, 'Raw', 3, :kind, CURRENT_TIMESTAMP)"
        )
        refused_sql(insert, {"code": "NFA099", "kind": "XX"})
        db.session.execute(sa.text(insert), {"code": "NFA099", "kind": "UE"})  # a known value passes
        db.session.commit()
        assert db.session.scalar(sa.select(Unit.kind).where(Unit.code == "NFA099")) is UnitKind.UE


def test_unknown_enum_value_is_refused_by_the_orm(app):
    with app.app_context():
        refused(Unit(code="NFA031", title="Bad kind", ects=Decimal(3), kind="XX"), error=(StatementError, LookupError))


def test_foreign_keys_are_enforced(app):
    """On SQLite too: this only fails there when ``PRAGMA foreign_keys=ON``."""
    with app.app_context():
        offering = make_offering()
        db.session.commit()
        missing = (db.session.scalar(sa.select(sa.func.max(Learner.id))) or 0) + 1000
        refused(Registration(learner_id=missing, offering_id=offering.id))
        refused_sql(
            "INSERT INTO registrations (learner_id, offering_id, status, created_at) "
            "VALUES (:learner, :offering, 'registered', CURRENT_TIMESTAMP)",
            {"learner": missing, "offering": offering.id},
        )


def test_a_ves_credit_names_its_programme(app):
    with app.app_context():
        learner, unit, programme = make_learner(), make_unit(), make_programme()
        db.session.commit()
        ids = {"learner_id": learner.id, "unit_id": unit.id, "granted_on": date(2025, 6, 1)}
        refused(Credit(source=CreditSource.VES, programme_id=None, **ids))
        add(
            Credit(source=CreditSource.VES, programme_id=programme.id, **ids),
            Credit(source=CreditSource.VAE, programme_id=None, **ids),  # only VES needs one
        )
        db.session.commit()


def test_an_absent_learner_has_no_grade(app):
    with app.app_context():
        registration = make_registration()
        db.session.commit()
        refused(Result(registration_id=registration.id, exam_session=1, absent=True, grade=Decimal(8)))
        add(Result(registration_id=registration.id, exam_session=1, absent=True))
        db.session.commit()


# --- requirement tree ----------------------------------------------------------------------------


# Pure Python (the model's validator), so these run without a database.


def new_version(requirements) -> ProgrammeVersion:
    return make_version(Programme(code="LG02501A"), requirements=requirements)


def test_requirement_tree_is_normalised_when_assigned():
    version = new_version({"all": ["NFA031", {"choose": 1, "of": ["NFA032", "NFA033"]}]})
    assert version.requirements == {
        "all": [{"unit": "NFA031"}, {"choose": 1, "of": [{"unit": "NFA032"}, {"unit": "NFA033"}]}]
    }


@pytest.mark.parametrize(
    "tree",
    [
        {"some": ["NFA031"]},  # a node of no known form
        {"all": [{"unit": "NFA031"}, {"nothing": 1}]},  # ... deeper in the tree
        {"choose": 1, "of": ["NFA031", "NFA032"], "compensation": {"min_average": 10}},  # not an 'all' group
        {"all": []},
        42,
    ],
)
def test_invalid_requirement_tree_is_refused(tree):
    with pytest.raises(RequirementError):
        new_version(tree)
    version = new_version({"all": [{"unit": "NFA031"}]})
    with pytest.raises(RequirementError):
        version.requirements = tree  # assigning later is checked too
    assert version.requirements == {"all": [{"unit": "NFA031"}]}


def test_compensation_is_accepted_on_an_all_group():
    version = new_version({"all": ["NFA031", "NFA032"], "compensation": {"min_average": 10}})
    assert version.requirements["compensation"]["min_average"] == 10


# --- append-only tables --------------------------------------------------------------------------


def _history_row() -> ResultHistory:
    result = make_result(grade=Decimal(12))
    row = add(ResultHistory(result_id=result.id, action=HistoryAction.CREATE, new_value={"grade": "12"}, source="test"))
    db.session.commit()
    return row


def _audit_row() -> AuditLog:
    row = add(AuditLog(event=AuditEvent.LOGIN, at=utcnow(), details={"who": "test"}))
    db.session.commit()
    return row


def test_result_history_refuses_orm_update_and_delete(app):
    with app.app_context():
        row = _history_row()
        row.reason = "rewritten"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(ResultHistory, row.id))
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        # Appending is fine, and the first row is intact.
        add(ResultHistory(result_id=row.result_id, action=HistoryAction.EDIT, new_value={"grade": "13"}, source="test"))
        db.session.commit()
        reasons = db.session.scalars(sa.select(ResultHistory.reason).order_by(ResultHistory.id)).all()
        assert reasons == [None, None]


def test_audit_log_refuses_orm_update_and_delete(app):
    with app.app_context():
        row = _audit_row()
        row.details = {"who": "someone else"}
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditLog, row.id))
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(AuditLog, row.id).details == {"who": "test"}


RAW_CHANGES = (
    "UPDATE result_history SET reason = 'rewritten'",
    "DELETE FROM result_history",
    "UPDATE audit_log SET path = '/elsewhere'",
    "DELETE FROM audit_log",
)


def test_append_only_tables_refuse_raw_sql_changes(app):
    """The triggers refuse what bypasses the ORM."""
    with app.app_context():
        _history_row()
        _audit_row()

        def contents():
            return {
                table: db.session.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).all()
                for table in ("result_history", "audit_log")
            }

        before = contents()
        assert all(before.values())
        for statement in RAW_CHANGES:
            error = refused_sql(statement, error=DBAPIError)
            assert "append-only" in str(error.orig), statement
        assert contents() == before


# --- optimistic locking --------------------------------------------------------------------------


def test_concurrent_result_edit_raises_stale_data(app):
    with app.app_context():
        result_id = make_result(grade=Decimal(10)).id
        db.session.commit()
        engine = db.engine
        with Session(engine) as first, Session(engine) as second:
            mine, theirs = first.get(Result, result_id), second.get(Result, result_id)
            assert mine.version == theirs.version == 1
            mine.grade = Decimal(14)
            theirs.grade = Decimal(8)
            first.commit()
            with pytest.raises(StaleDataError):
                second.commit()
            second.rollback()
        db.session.expire_all()
        stored = db.session.get(Result, result_id)
        assert (stored.grade, stored.version) == (Decimal(14), 2)  # the first edit kept, not overwritten


# --- SQLite connection settings -------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(app, backend):
    with app.app_context():
        assert db.engine.dialect.name == "sqlite"
        pragma = lambda name: db.session.execute(sa.text(f"PRAGMA {name}")).scalar()  # noqa: E731
        assert pragma("journal_mode").lower() == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == app.config["SQLITE_BUSY_TIMEOUT_MS"] > 0
        # A second pooled connection is set up the same way.
        with db.engine.connect() as other:
            assert other.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
            assert other.execute(sa.text("PRAGMA busy_timeout")).scalar() > 0
