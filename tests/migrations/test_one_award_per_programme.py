"""The one-award-per-programme migration, on both engines: existing awards get their learner and
programme, a second valid award of the same programme is revoked with its reason (the first kept),
and every award's code lands in the verification registry."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.migrations.test_migrations import alembic_config, alembic_engine  # noqa: F401  (fixtures)

BEFORE = "5e2a9c71d0b4"
AFTER = "5e0c1a7d9b21"


def test_existing_awards_are_filled_deduplicated_and_registered(alembic_runner, alembic_engine):  # noqa: F811
    alembic_runner.migrate_up_to(BEFORE)
    statements = [
        "INSERT INTO users (id, email, name) VALUES (1, 'a@example.org', 'Alice')",
        "INSERT INTO learners (id, user_id, learner_number) VALUES (1, 1, '100001A')",
        "INSERT INTO programmes (id, code) VALUES (1, 'CC0400A')",
        *(
            "INSERT INTO programme_versions (id, programme_id, version, title, kind, nominal_ects, requirements) "
            f"VALUES ({i}, 1, '{v}', 'Cloud', 'certificat_competence', 36, '{{}}')"
            for i, v in ((1, "2025"), (2, "2026"))
        ),
        *(
            "INSERT INTO enrolments (id, learner_id, programme_version_id, enrolled_on) "
            f"VALUES ({i}, 1, {i}, '2025-09-01')"
            for i in (1, 2)
        ),
        *(
            "INSERT INTO awards (id, enrolment_id, decided_on, jury, ects, certificate_number, verification_code) "
            f"VALUES ({i}, {i}, '2026-07-03', 'Jury', 36, 'CC0400A-2026-000{i}', '{str(i) * 24}')"
            for i in (1, 2)
        ),
    ]
    with alembic_engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    alembic_runner.migrate_up_to(AFTER)
    with alembic_engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT id, learner_id, programme_id, revoked_at, revoke_reason FROM awards ORDER BY id")
        ).all()
        assert [(r.id, r.learner_id, r.programme_id, r.revoked_at is None) for r in rows] == [
            (1, 1, 1, True),
            (2, 1, 1, False),
        ]
        assert "Doublon" in rows[1].revoke_reason
        documents = connection.execute(
            sa.text("SELECT kind, code, subject_id FROM issued_documents ORDER BY subject_id")
        ).all()
        assert [tuple(d) for d in documents] == [("certificate", "1" * 24, 1), ("certificate", "2" * 24, 2)]
    with alembic_engine.begin() as connection, pytest.raises(sa.exc.IntegrityError):
        connection.execute(sa.text("UPDATE awards SET revoked_at = NULL, revoke_reason = NULL WHERE id = 2"))
    alembic_runner.migrate_down_to(BEFORE)
    with alembic_engine.connect() as connection:
        assert "programme_id" not in {column["name"] for column in sa.inspect(connection).get_columns("awards")}
