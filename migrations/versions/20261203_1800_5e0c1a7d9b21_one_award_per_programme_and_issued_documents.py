"""one valid award per learner and programme; issued documents share one verification registry

Revision ID: 5e0c1a7d9b21
Revises: 5e2a9c71d0b4
Create Date: 2026-12-03 18:00:00+00:00

Awards get ``learner_id`` and ``programme_id`` (filled from their enrolment) and a partial unique
index on them for the rows not revoked. Awards that would break it (a second valid certificate of
the same programme for the same learner, possible before) are revoked, the first one kept, with
the reason written on them. ``issued_documents`` is the shared verification registry: every award's
code is recorded there.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "5e0c1a7d9b21"
down_revision = "5e2a9c71d0b4"
branch_labels = None
depends_on = None

DUPLICATE_REASON = "Doublon : une seule attestation valide par auditeur et par formation (migration 5e0c1a7d9b21)."


def upgrade():
    op.create_table(
        "issued_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(code) >= 16", name=op.f("ck_issued_documents_code_long_enough")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_documents")),
        sa.UniqueConstraint("code", name=op.f("uq_issued_documents_code")),
    )
    op.create_index("ix_issued_documents_kind_subject_id", "issued_documents", ["kind", "subject_id"], unique=False)

    with op.batch_alter_table("awards") as batch_op:
        batch_op.add_column(sa.Column("learner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("programme_id", sa.Integer(), nullable=True))

    bind = op.get_bind()
    awards = sa.table(
        "awards",
        sa.column("id", sa.Integer),
        sa.column("enrolment_id", sa.Integer),
        sa.column("learner_id", sa.Integer),
        sa.column("programme_id", sa.Integer),
        sa.column("verification_code", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
        sa.column("revoke_reason", sa.Text),
    )
    enrolments = sa.table(
        "enrolments", sa.column("id", sa.Integer), sa.column("learner_id"), sa.column("programme_version_id")
    )
    versions = sa.table("programme_versions", sa.column("id", sa.Integer), sa.column("programme_id", sa.Integer))
    rows = bind.execute(
        sa.select(awards.c.id, enrolments.c.learner_id, versions.c.programme_id, awards.c.revoked_at)
        .select_from(awards)
        .join(enrolments, enrolments.c.id == awards.c.enrolment_id)
        .join(versions, versions.c.id == enrolments.c.programme_version_id)
        .order_by(awards.c.id)
    ).all()
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    valid: set[tuple[int, int]] = set()
    for award_id, learner_id, programme_id, revoked_at in rows:
        values = {"learner_id": learner_id, "programme_id": programme_id}
        if revoked_at is None:
            if (learner_id, programme_id) in valid:  # a second valid certificate: revoked, the first kept
                values.update(revoked_at=now, revoke_reason=DUPLICATE_REASON)
            valid.add((learner_id, programme_id))
        bind.execute(awards.update().where(awards.c.id == award_id).values(**values))

    with op.batch_alter_table("awards") as batch_op:
        batch_op.alter_column("learner_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("programme_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_awards_learner_id_learners"), "learners", ["learner_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_awards_programme_id_programmes"), "programmes", ["programme_id"], ["id"], ondelete="RESTRICT"
        )
    op.create_index(
        "uq_awards_one_valid_per_programme",
        "awards",
        ["programme_id", "learner_id"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )

    documents = sa.table(
        "issued_documents",
        sa.column("kind", sa.String),
        sa.column("code", sa.String),
        sa.column("subject_id", sa.Integer),
        sa.column("issued_at", sa.DateTime(timezone=True)),
        sa.column("details", sa.JSON),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
    )
    certificates = [
        {
            "kind": "certificate",
            "code": code,
            "subject_id": award_id,
            "issued_at": created_at or now,
            "details": {},
            "revoked_at": revoked_at,
        }
        for award_id, code, created_at, revoked_at in bind.execute(
            sa.select(awards.c.id, awards.c.verification_code, awards.c.created_at, awards.c.revoked_at)
        )
    ]
    if certificates:
        bind.execute(documents.insert(), certificates)


def downgrade():
    op.drop_index("uq_awards_one_valid_per_programme", table_name="awards")
    with op.batch_alter_table("awards") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_awards_programme_id_programmes"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_awards_learner_id_learners"), type_="foreignkey")
        batch_op.drop_column("programme_id")
        batch_op.drop_column("learner_id")
    op.drop_index("ix_issued_documents_kind_subject_id", table_name="issued_documents")
    op.drop_table("issued_documents")
