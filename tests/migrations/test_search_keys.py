"""The search-key migration fills the key of the rows already there, on both engines."""

from __future__ import annotations

import sqlalchemy as sa

from tests.migrations.test_migrations import alembic_config, alembic_engine  # noqa: F401  (fixtures)

BEFORE = "b7d2e4c1a9f0"
SEARCH_KEYS = "00f1d1f5b767"


def test_existing_units_and_users_get_their_search_key(alembic_runner, alembic_engine):  # noqa: F811
    alembic_runner.migrate_up_to(BEFORE)
    with alembic_engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO units (code, title, ects, kind) VALUES ('SEC101', 'Sécurité des Réseaux', 6, 'UE')")
        )
        connection.execute(sa.text("INSERT INTO users (email, name) VALUES ('helene@example.org', 'Hélène Léger')"))
    alembic_runner.migrate_up_to(SEARCH_KEYS)
    with alembic_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT search_key FROM units")).scalar_one() == "sec101 securite des reseaux"
        assert connection.execute(sa.text("SELECT search_key FROM users")).scalar_one() == (
            "helene leger helene@example.org"
        )
    alembic_runner.migrate_down_to(BEFORE)
    with alembic_engine.connect() as connection:
        assert "search_key" not in {column["name"] for column in sa.inspect(connection).get_columns("units")}
