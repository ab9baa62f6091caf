"""free slots and the doctorat kind: a substitution may stand for a free slot of the tree (its code,
formats.md section 1) instead of a unit; programmes may be doctorates

Revision ID: 3f9a1c5e7b02
Revises: 8c4e2f6a1b37
Create Date: 2026-12-04 00:00:00+00:00

"""

import sqlalchemy as sa
from alembic import op
from migration_helpers import sqlite_foreign_keys

# revision identifiers, used by Alembic.
revision = "3f9a1c5e7b02"
down_revision = "8c4e2f6a1b37"
branch_labels = None
depends_on = None

KINDS_BEFORE = (
    "licence licence_pro master ingenieur titre_rncp deust certificat_competence certificat_specialisation"
    " certificat_professionnel micro_certification diplome_etablissement"
).split()
KINDS_AFTER = [*KINDS_BEFORE, "doctorat"]
KIND_CHECK = "ck_programme_versions_programme_kind"
LIVE_SLOT = "uq_substitutions_live_slot"
LIVE_SLOT_WHERE = sa.text("revoked_at IS NULL AND replaced_slot IS NOT NULL")


def _kinds(values):
    return "kind IN ({})".format(", ".join(f"'{value}'" for value in values))


def _programme_kinds(values):
    sqlite_foreign_keys(False)
    with op.batch_alter_table("programme_versions", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f(KIND_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(KIND_CHECK), _kinds(values))
    sqlite_foreign_keys(True)


def upgrade():
    _programme_kinds(KINDS_AFTER)
    sqlite_foreign_keys(False)
    with op.batch_alter_table("substitutions", recreate="auto") as batch_op:
        batch_op.add_column(sa.Column("replaced_slot", sa.String(length=12), nullable=True))
        batch_op.alter_column("replaced_unit_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(
            op.f("ck_substitutions_unit_or_slot"), "(replaced_unit_id IS NULL) <> (replaced_slot IS NULL)"
        )
    sqlite_foreign_keys(True)
    op.create_index(
        LIVE_SLOT,
        "substitutions",
        ["learner_id", "programme_id", "replaced_slot"],
        unique=True,
        sqlite_where=LIVE_SLOT_WHERE,
        postgresql_where=LIVE_SLOT_WHERE,
    )


def downgrade():
    bind = op.get_bind()
    # Before this revision nothing could stand for a slot or be a doctorate: those rows go.
    bind.execute(sa.text("DELETE FROM substitutions WHERE replaced_slot IS NOT NULL"))
    op.drop_index(LIVE_SLOT, table_name="substitutions")
    sqlite_foreign_keys(False)
    with op.batch_alter_table("substitutions", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_substitutions_unit_or_slot"), type_="check")
        batch_op.alter_column("replaced_unit_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("replaced_slot")
    sqlite_foreign_keys(True)
    if bind.execute(sa.text("SELECT count(*) FROM programme_versions WHERE kind = 'doctorat'")).scalar():
        raise RuntimeError("doctorates are in the catalogue: delete them before downgrading below 3f9a1c5e7b02")
    _programme_kinds(KINDS_BEFORE)
