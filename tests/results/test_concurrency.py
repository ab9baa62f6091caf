"""50 concurrent grade saves on distinct rows: no "database is locked", nothing lost (SQLite in
WAL with a busy timeout, and PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from lms.results import services
from lms.results.models import Result, ResultHistory, ResultStatus
from lms.timetable.models import Offering, Registration, RegistrationStatus

SAVES = 50


def test_fifty_concurrent_saves_on_distinct_rows(demo_app):
    with demo_app.app_context():
        rows = db.session.execute(
            sa.select(Registration.id, Offering.id, sa.func.min(User.id))
            .join(Offering, Registration.offering_id == Offering.id)
            .join(Offering.tutors)
            .where(Offering.academic_year == 2026, Registration.status == RegistrationStatus.REGISTERED)
            .group_by(Registration.id, Offering.id)
            .order_by(Registration.id)
            .limit(SAVES)
        ).all()
        assert len(rows) == SAVES
    errors: list[BaseException] = []
    start = threading.Barrier(SAVES)

    def save(index: int, registration_id: int, offering_id: int, tutor_id: int) -> None:
        try:
            start.wait(timeout=30)  # all threads released together, before any takes a connection
            with demo_app.app_context():
                offering = db.session.get(Offering, offering_id)
                tutor = db.session.get(User, tutor_id)
                services.save_sheet(
                    offering, 1, [services.RowInput(registration_id, grade=f"{10 + index % 10}.5")], tutor, publish=True
                )
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(i, *row)) for i, row in enumerate(rows)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with demo_app.app_context():
        saved = db.session.execute(
            sa.select(Result.registration_id, Result.grade, Result.status).where(
                Result.registration_id.in_([row[0] for row in rows]), Result.exam_session == 1
            )
        ).all()
        assert len(saved) == SAVES
        assert all(status == ResultStatus.PUBLISHED for _, _, status in saved)
        expected = {row[0]: Decimal(f"{10 + i % 10}.5") for i, row in enumerate(rows)}
        assert {registration_id: grade for registration_id, grade, _ in saved} == expected
        history = db.session.scalar(
            sa.select(sa.func.count(ResultHistory.id)).join(Result).where(Result.registration_id.in_(list(expected)))
        )
        assert history >= SAVES
