"""Alembic environment for lms, run through Flask-Migrate (``lms db upgrade``) or directly by
the tests (pytest-alembic), which hand over a connection in ``config.attributes``."""

import logging
from contextlib import nullcontext
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app, has_app_context

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def app_context():
    if has_app_context():
        return nullcontext()
    from lms.app import create_app

    url = config.get_main_option("sqlalchemy.url")
    return create_app(overrides={"SQLALCHEMY_DATABASE_URI": url} if url else None).app_context()


def render_item(type_, obj, autogen_context):
    """Write portable SQLAlchemy types into revisions, never lms's own classes: an old revision
    must not break when application code changes."""
    from lms.core.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and type(obj).__name__ == "JSON" and getattr(obj, "_variant_mapping", None):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False


def include_object(obj, name, type_, reflected, compare_to):
    """Leave the search indexes' tables and indexes (FTS5, pg_trgm) out of the comparison with the
    models, which do not declare them (lms.core.search)."""
    from lms.core.search import is_index_machinery

    return not (reflected and is_index_machinery(type_, name))


def process_revision_directives(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_online():
    with app_context():
        migrate_ext = current_app.extensions["migrate"]
        metadata = migrate_ext.db.metadata
        conf_args = dict(migrate_ext.configure_args)
        conf_args.setdefault("process_revision_directives", process_revision_directives)
        conf_args.update(
            render_item=render_item, include_object=include_object, compare_type=True, compare_server_default=False
        )

        # pytest-alembic hands over an Engine; a caller may also pass an open Connection.
        connectable = config.attributes.get("connection")
        if isinstance(connectable, sa.engine.Connection):
            conf_args["render_as_batch"] = connectable.dialect.name == "sqlite"
            context.configure(connection=connectable, target_metadata=metadata, **conf_args)
            with context.begin_transaction():
                context.run_migrations()
            return
        engine = connectable if connectable is not None else migrate_ext.db.engine
        with engine.connect() as connection:
            conf_args["render_as_batch"] = connection.dialect.name == "sqlite"
            context.configure(connection=connection, target_metadata=metadata, **conf_args)
            with context.begin_transaction():
                context.run_migrations()


def run_migrations_offline():
    with app_context():
        migrate_ext = current_app.extensions["migrate"]
        context.configure(
            url=str(migrate_ext.db.engine.url),
            target_metadata=migrate_ext.db.metadata,
            literal_binds=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
