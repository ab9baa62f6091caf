"""stored files: uploads and application documents kept in the database, not on one host's disk

Upgrade creates ``stored_files`` and moves the PDFs of existing applications into it: each
``application_documents`` row whose file is still in the old folder (``APPLICATION_DOCUMENT_FOLDER``
/ ``LMS_APPLICATION_DOCUMENT_FOLDER``, default ``<instance>/application-documents``) gets its bytes
copied under its ``stored_name``, which becomes the storage key. A missing or unreadable file is
skipped with a warning (its download answers 404, as before). The old files are left on disk:
remove the folder once the upgrade is done. Uploads that were waiting for a confirmation are not
moved (they live an hour at most: the user sends the file again).

Downgrade writes the documents back into that folder (under a ``.pdf`` stored name) before dropping
the table; uploads waiting for a confirmation are dropped.

Revision ID: cd311f93bc7d
Revises: 9a4c2e7f1b63
Create Date: 2026-12-04 01:00:00+00:00

"""

import hashlib
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "cd311f93bc7d"
down_revision = "9a4c2e7f1b63"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
KIND = "application-document"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _old_folder() -> Path:
    configured = None
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            configured = current_app.config.get("APPLICATION_DOCUMENT_FOLDER")
            instance = Path(current_app.instance_path)
        else:
            instance = PROJECT_ROOT / "instance"
    except ImportError:  # pragma: no cover - Flask is a dependency
        instance = PROJECT_ROOT / "instance"
    configured = configured or os.environ.get("LMS_APPLICATION_DOCUMENT_FOLDER")
    return Path(configured) if configured else instance / "application-documents"


def _documents(bind) -> list:
    return bind.execute(
        sa.text(
            "SELECT d.id, d.stored_name, d.filename, d.sha256, d.uploaded_at, a.candidate_id"
            " FROM application_documents d JOIN applications a ON a.id = d.application_id ORDER BY d.id"
        )
    ).all()


def upgrade():
    stored_files = op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("meta", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size >= 0", name=op.f("ck_stored_files_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_stored_files_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
        sa.UniqueConstraint("key", name=op.f("uq_stored_files_key")),
    )
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_files_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_stored_files_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_stored_files_user_id"), ["user_id"], unique=False)
    _move_documents_in(stored_files)


def _move_documents_in(stored_files: sa.Table) -> None:
    bind = op.get_bind()
    rows = _documents(bind)
    if not rows:
        return
    folder = _old_folder()
    moved = missing = 0
    for row in rows:
        path = folder / Path(row.stored_name).name  # a stored name is a bare file name
        try:
            content = path.read_bytes()
        except OSError:
            missing += 1
            log.warning("application document %s: %s is missing, its download will answer 404", row.id, path)
            continue
        digest = hashlib.sha256(content).hexdigest()
        if digest != row.sha256:
            log.warning("application document %s: %s differs from the recorded digest; moved as it is", row.id, path)
        uploaded_at = row.uploaded_at
        if isinstance(uploaded_at, str):  # SQLite hands back text to a textual query
            uploaded_at = datetime.fromisoformat(uploaded_at)
        if uploaded_at.tzinfo is None:
            uploaded_at = uploaded_at.replace(tzinfo=UTC)
        values = {
            "key": row.stored_name,
            "kind": KIND,
            "name": row.filename,
            "media_type": "application/pdf",
            "size": len(content),
            "sha256": digest,
            "content": content,
            "meta": {},
            "user_id": row.candidate_id,
            "created_at": uploaded_at if bind.dialect.name != "sqlite" else uploaded_at.replace(tzinfo=None),
        }
        bind.execute(stored_files.insert().values(**values))
        moved += 1
    log.info(
        "application documents: %d moved from %s into stored_files, %d missing (the old files stay on disk)",
        moved,
        folder,
        missing,
    )


def downgrade():
    _write_documents_out()
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_files_user_id"))
        batch_op.drop_index(batch_op.f("ix_stored_files_kind"))
        batch_op.drop_index(batch_op.f("ix_stored_files_created_at"))
    op.drop_table("stored_files")


def _write_documents_out() -> None:
    """The previous version reads ``<folder>/<stored_name>`` with names ending in ``.pdf``."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT d.id, d.stored_name, f.content FROM application_documents d"
            " JOIN stored_files f ON f.key = d.stored_name AND f.kind = :kind ORDER BY d.id"
        ),
        {"kind": KIND},
    ).all()
    if not rows:
        return
    folder = _old_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for row in rows:
        name = row.stored_name if row.stored_name.endswith(".pdf") else f"{row.stored_name}.pdf"
        (folder / name).write_bytes(bytes(row.content))
        if name != row.stored_name:
            bind.execute(
                sa.text("UPDATE application_documents SET stored_name = :name WHERE id = :id"),
                {"name": name, "id": row.id},
            )
    log.info("application documents: %d written back into %s", len(rows), folder)
