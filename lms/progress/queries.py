"""Reads for the learner's home (their programmes, their units with published results) and the
audit engine's inputs built from the database (``lms audit --learner``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm

from lms.accounts.models import Learner, User
from lms.catalog.directors import directed_learners
from lms.catalog.models import (
    CATALOGUE_MODELS,
    CATALOGUE_TABLES,
    Programme,
    ProgrammeVersion,
    Unit,
)
from lms.catalog.queries import PROCESS_CATALOGUE
from lms.extensions import db
from lms.intakes.models import Enrolment, EnrolmentStatus
from lms.progress.audit.catalogue import Catalog
from lms.progress.models import ProgressSnapshot
from lms.results.models import ActivityDecision, Credit, Result, ResultStatus, Substitution
from lms.timetable.models import Offering, Registration, RegistrationStatus, semester_order


@dataclass(frozen=True)
class UnitLine:
    code: str
    title: str
    ects: Decimal
    academic_year: int
    semester: str
    modality: str
    registration_status: str
    best_grade: Decimal | None
    decision: str | None
    absent: bool
    sessions: int


def learner_programmes(learner: Learner) -> list[tuple[Enrolment, ProgrammeVersion, ProgressSnapshot | None]]:
    query = (
        sa.select(Enrolment, ProgrammeVersion, ProgressSnapshot)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .outerjoin(ProgressSnapshot, ProgressSnapshot.enrolment_id == Enrolment.id)
        .options(sa.orm.contains_eager(ProgrammeVersion.programme))
        .where(Enrolment.learner_id == learner.id)
        .order_by(Enrolment.enrolled_on.desc(), Programme.code)
    )
    return [tuple(row) for row in db.session.execute(query)]


def learner_units(learner: Learner) -> list[UnitLine]:
    """Every registration of the learner, newest first, with the best *published* result."""
    published = (
        sa.select(
            Result.registration_id,
            sa.func.max(Result.grade).label("best_grade"),
            sa.func.max(Result.decision).label("decision"),
            sa.func.min(sa.case((Result.absent, 1), else_=0)).label("absent"),
            sa.func.count(Result.id).label("sessions"),
        )
        .where(
            Result.status == ResultStatus.PUBLISHED,
            # this learner's results only: grouping every published result first grows with the data
            Result.registration_id.in_(sa.select(Registration.id).where(Registration.learner_id == learner.id)),
        )
        .group_by(Result.registration_id)
        .subquery()
    )
    query = (
        sa.select(
            Unit,
            Offering,
            Registration,
            published.c.best_grade,
            published.c.decision,
            published.c.absent,
            published.c.sessions,
        )
        .select_from(Registration)
        .join(Offering, Registration.offering_id == Offering.id)
        .join(Unit, Offering.unit_id == Unit.id)
        .outerjoin(published, published.c.registration_id == Registration.id)
        .where(Registration.learner_id == learner.id, Registration.status != RegistrationStatus.WITHDRAWN)
        .order_by(Offering.academic_year.desc(), semester_order(Offering.semester), Unit.code)
    )
    lines = []
    for unit, offering, registration, best_grade, decision, absent, sessions in db.session.execute(query):
        lines.append(
            UnitLine(
                code=unit.code,
                title=unit.title,
                ects=unit.ects,
                academic_year=offering.academic_year,
                semester=offering.semester.value,
                modality=offering.modality.value,
                registration_status=registration.status.value,
                best_grade=best_grade,
                decision=decision,
                absent=bool(absent),
                sessions=sessions or 0,
            )
        )
    return lines


def learner_credits(learner: Learner) -> list[tuple[Credit, Unit]]:
    query = (
        sa.select(Credit, Unit)
        .join(Unit, Credit.unit_id == Unit.id)
        .where(Credit.learner_id == learner.id, Credit.revoked_at.is_(None))
        .order_by(Credit.granted_on.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


# --- the audit engine's inputs, from the database ------------------------------------------------


_CATALOGUE = "lms.progress.catalogue"
_CATALOGUE_MODELS = CATALOGUE_MODELS
_CATALOGUE_TABLES = CATALOGUE_TABLES


def catalogue_from_database() -> Catalog:
    """What the audit engine needs of the database catalogue (no offerings).

    Loaded once per transaction (a request, a batch) and kept on the session; any catalogue row
    flushed, any bulk statement and the end of the transaction forget it."""
    session = db.session()
    catalog = session.info.get(_CATALOGUE)
    if catalog is None:
        catalog = session.info[_CATALOGUE] = _process_catalogue(session)
    return catalog


def _process_catalogue(session: sa.orm.Session) -> Catalog:
    return PROCESS_CATALOGUE.get(session)  # lms.catalog.queries: one copy per process


def _forget_catalogue_after_flush(session: sa.orm.Session, _context: object) -> None:
    if _CATALOGUE in session.info and any(
        isinstance(obj, _CATALOGUE_MODELS) for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        del session.info[_CATALOGUE]


def _forget_catalogue_after_bulk(state: sa.orm.ORMExecuteState) -> None:
    table = getattr(state.statement, "table", None)  # insert(), update(), delete()
    if not state.is_select and (table is None or table.name in _CATALOGUE_TABLES):
        state.session.info.pop(_CATALOGUE, None)


def _forget_catalogue_at_end(session: sa.orm.Session, transaction: sa.orm.SessionTransaction) -> None:
    # The transaction, or a savepoint (rolled back, it may take catalogue rows with it); not the
    # subtransaction of each flush.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_CATALOGUE, None)


# Installed with this module, never lazily: adding a listener while the session dispatches an event
# (a task run at a transaction's end reading the catalogue) breaks SQLAlchemy's iteration.
for _name, _listener in (
    ("after_flush", _forget_catalogue_after_flush),
    ("do_orm_execute", _forget_catalogue_after_bulk),
    ("after_transaction_end", _forget_catalogue_at_end),
):
    sa.event.listen(sa.orm.Session, _name, _listener)


def enrolled_version(learner: Learner, programme_code: str) -> str | None:
    """The version of ``programme_code`` the learner is enrolled on (the active enrolment first,
    then the most recent), or None."""
    query = (
        sa.select(ProgrammeVersion.version)
        .select_from(Enrolment)
        .join(ProgrammeVersion, Enrolment.programme_version_id == ProgrammeVersion.id)
        .join(Programme, ProgrammeVersion.programme_id == Programme.id)
        .where(Enrolment.learner_id == learner.id, Programme.code == programme_code)
        .order_by(
            sa.case((Enrolment.status == EnrolmentStatus.ACTIVE, 0), else_=1),
            Enrolment.enrolled_on.desc(),
            Enrolment.id.desc(),
        )
        .limit(1)
    )
    return db.session.scalar(query)


def search_learners(text: str, viewer: User, limit: int = 50) -> list[tuple[Learner, str, str]]:
    """Learners ``viewer`` may see (:func:`~lms.catalog.directors.directed_learners`) whose name,
    e-mail address or number holds every word of ``text`` (accents and case ignored):
    (learner, name, email)."""
    from lms.core.search import matches_words

    rows = db.session.execute(
        sa.select(Learner, User.name, User.email)
        .join(User, Learner.user_id == User.id)
        .where(matches_words(text, User.search_key, (Learner.learner_number, Learner.user_id)))
        .where(directed_learners(viewer, Learner.id))
        .order_by(User.name)
        .limit(limit)
    )
    return [tuple(row) for row in rows]


def learner_programme_codes(learner: Learner) -> list[str]:
    return sorted(
        set(
            db.session.scalars(
                sa.select(Programme.code)
                .join(ProgrammeVersion, ProgrammeVersion.programme_id == Programme.id)
                .join(Enrolment, Enrolment.programme_version_id == ProgrammeVersion.id)
                .where(Enrolment.learner_id == learner.id)
            )
        )
    )


def _decision_rows(learner: Learner, model, decided_on, *columns, joins=()) -> list[tuple]:
    """Every ``model`` decision (credit, substitution, UA decision) on ``learner``, revoked ones
    included, newest first: (row, *columns, decided by, revoked by when the model records it).
    ``joins``: (target, on clause, outer) to reach ``columns``."""
    decider = sa.orm.aliased(User)
    query = sa.select(model, *columns, decider.name)
    for target, on, outer in joins:
        query = query.join(target, on, isouter=outer)
    query = query.outerjoin(decider, model.decided_by_id == decider.id)
    if hasattr(model, "revoked_by_id"):
        revoker = sa.orm.aliased(User)
        query = query.add_columns(revoker.name).outerjoin(revoker, model.revoked_by_id == revoker.id)
    query = query.where(model.learner_id == learner.id).order_by(decided_on.desc(), model.id.desc())
    return [tuple(row) for row in db.session.execute(query)]


def credit_decisions(learner: Learner) -> list[tuple[Credit, str, str | None, str | None, str | None]]:
    """(credit, unit code, programme code, decided by, revoked by)."""
    joins = ((Unit, Credit.unit_id == Unit.id, False), (Programme, Credit.programme_id == Programme.id, True))
    return _decision_rows(learner, Credit, Credit.granted_on, Unit.code, Programme.code, joins=joins)


def substitution_decisions(learner: Learner) -> list[tuple[Substitution, str, str, str, str | None]]:
    """(row, programme, substitute, replaced, decided by): who revoked a substitution is not recorded."""
    substitute, replaced = sa.orm.aliased(Unit), sa.orm.aliased(Unit)
    joins = (
        (Programme, Substitution.programme_id == Programme.id, False),
        (substitute, Substitution.substitute_unit_id == substitute.id, False),
        (replaced, Substitution.replaced_unit_id == replaced.id, True),
    )
    replaced_code = sa.func.coalesce(replaced.code, Substitution.replaced_slot)  # a unit or a free slot
    return _decision_rows(
        learner, Substitution, Substitution.decided_on, Programme.code, substitute.code, replaced_code, joins=joins
    )


def activity_decisions(learner: Learner) -> list[tuple[ActivityDecision, str, str, str | None, str | None]]:
    """(row, unit code, unit title, decided by, revoked by)."""
    joins = ((Unit, ActivityDecision.unit_id == Unit.id, False),)
    return _decision_rows(learner, ActivityDecision, ActivityDecision.decided_on, Unit.code, Unit.title, joins=joins)
