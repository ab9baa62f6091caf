"""50 concurrent grade saves on distinct rows: no "database is locked", nothing lost (SQLite in
WAL with a busy timeout, and PostgreSQL); two first saves of the same empty row: the second gets
409, not 500."""

from __future__ import annotations

import threading
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from lms.results import services
from lms.results.models import Result, ResultHistory, ResultStatus
from lms.timetable.models import Offering, Registration, RegistrationStatus
from tests.helpers import client_for
from tests.results.world import build_world, results, sheet_form, sheet_url

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
                    offering,
                    1,
                    [services.RowInput(registration_id, grade=f"{10 + index % 10}.5")],
                    tutor,
                    publish=True,
                    confirm_early=True,  # the demo's exams of this year are still to come
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


def test_two_first_saves_of_an_empty_row_the_second_gets_409(app, backend):
    """Two tabs load the sheet before either saves. On PostgreSQL both read the empty row and
    insert: the second insert breaks the UNIQUE constraint once the first commits. On SQLite
    writes take turns and the second sees the first's row. Either way: 409, nothing overwritten."""
    world = build_world(app)
    a = world.registrations[0]
    first, second = client_for(app, "tutor@example.org"), client_for(app, "tutor@example.org")  # two tabs
    forms = [
        sheet_form(client.get(sheet_url(world.offering)).text, {a: grade})
        for client, grade in ((first, "12"), (second, "13"))
    ]
    both_read = threading.Barrier(2)
    waited = threading.local()

    def wait_for_the_other(_connection, _cursor, statement, *_):
        # save_sheet's read of the rows it may overwrite (not lock_sheet's, which joins)
        reads_the_rows = statement.lstrip().startswith("SELECT") and "FROM results" in statement
        if backend == "postgresql" and reads_the_rows and "JOIN" not in statement and not getattr(waited, "done", 0):
            waited.done = 1
            both_read.wait(timeout=30)  # each has read the (empty) row: now both insert

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "after_cursor_execute", wait_for_the_other)
    answers: dict[str, int] = {}
    pages: dict[str, str] = {}

    def post(name, client, data):
        response = client.post(sheet_url(world.offering), data=data)
        answers[name], pages[name] = response.status_code, response.text

    threads = [
        threading.Thread(target=post, args=("first", first, forms[0])),
        threading.Thread(target=post, args=("second", second, forms[1])),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        sa.event.remove(engine, "after_cursor_execute", wait_for_the_other)
    assert sorted(answers.values()) == [302, 409], answers
    loser = next(name for name, status in answers.items() if status == 409)
    assert "Traceback" not in pages[loser]
    kept = results(app, [a])[a]
    assert kept.grade == Decimal({"first": "13", "second": "12"}[loser])
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count(ResultHistory.id)).where(ResultHistory.result_id == kept.id)) == 1
        )
