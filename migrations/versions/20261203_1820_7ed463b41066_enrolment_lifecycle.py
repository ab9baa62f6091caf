"""enrolment lifecycle: suspended status, programme on enrolments (one active per programme), moves linked, status history

Revision ID: 7ed463b41066
Revises: 5d1c7a3e9b20
Create Date: 2026-12-03 17:45:00+00:00

"""

import sqlalchemy as sa
from alembic import op
from migration_helpers import sqlite_foreign_keys

# revision identifiers, used by Alembic.
revision = "7ed463b41066"
down_revision = "5d1c7a3e9b20"
branch_labels = None
depends_on = None

BEFORE = ("active", "completed", "withdrawn", "moved")
AFTER = ("active", "suspended", "completed", "withdrawn", "moved")
STATUS_CHECK = "ck_enrolments_enrolment_status"
ONE_ACTIVE = "uq_enrolments_one_active_per_programme"
ACTIVE_ONLY = sa.text("status = 'active'")

enrolments = sa.table(
    "enrolments",
    sa.column("id"),
    sa.column("learner_id"),
    sa.column("programme_version_id"),
    sa.column("programme_id"),
    sa.column("status"),
    sa.column("enrolled_on"),
    sa.column("ended_on"),
)
versions = sa.table("programme_versions", sa.column("id"), sa.column("programme_id"))
events = sa.table(
    "enrolment_events",
    sa.column("enrolment_id"),
    sa.column("from_status"),
    sa.column("to_status"),
    sa.column("occurred_on"),
    sa.column("recorded_at"),
    sa.column("note"),
)


def _statuses(values):
    return "status IN ({})".format(", ".join(f"'{value}'" for value in values))


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("enrolments") as batch_op:
        batch_op.add_column(sa.Column("programme_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("moved_from_id", sa.Integer(), nullable=True))
    bind.execute(
        enrolments.update().values(
            programme_id=sa.select(versions.c.programme_id)
            .where(versions.c.id == enrolments.c.programme_version_id)
            .scalar_subquery()
        )
    )
    # Before this revision a learner could be active twice in one programme (re-enrolled in an old
    # version after a move): the latest enrolment stays active, the others are suspended for a
    # person to sort out (suspended is not final).
    rows = bind.execute(
        sa.select(enrolments.c.id, enrolments.c.learner_id, enrolments.c.programme_id)
        .where(enrolments.c.status == "active")
        .order_by(
            enrolments.c.learner_id, enrolments.c.programme_id, enrolments.c.enrolled_on.desc(), enrolments.c.id.desc()
        )
    ).all()
    seen, doubles = set(), []
    for row in rows:
        key = (row.learner_id, row.programme_id)
        if key in seen:
            doubles.append(row.id)
        seen.add(key)

    sqlite_foreign_keys(False)
    with op.batch_alter_table("enrolments", recreate="auto") as batch_op:
        batch_op.alter_column("programme_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            op.f("fk_enrolments_programme_id_programmes"), "programmes", ["programme_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_foreign_key(
            op.f("fk_enrolments_moved_from_id_enrolments"), "enrolments", ["moved_from_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(STATUS_CHECK), _statuses(AFTER))
    sqlite_foreign_keys(True)
    if doubles:
        bind.execute(enrolments.update().where(enrolments.c.id.in_(doubles)).values(status="suspended"))
    op.create_index(
        ONE_ACTIVE,
        "enrolments",
        ["learner_id", "programme_id"],
        unique=True,
        sqlite_where=ACTIVE_ONLY,
        postgresql_where=ACTIVE_ONLY,
    )

    op.create_table(
        "enrolment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(*AFTER, name="enrolment_event_from", native_enum=False, create_constraint=True, length=17),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(*AFTER, name="enrolment_event_to", native_enum=False, create_constraint=True, length=17),
            nullable=False,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_enrolment_events_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_enrolment_events_enrolment_id_enrolments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_events")),
    )
    with op.batch_alter_table("enrolment_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_events_enrolment_id"), ["enrolment_id"], unique=False)

    # The history so far: each enrolment began on its date, and an ended one ended on its end date.
    now = sa.func.current_timestamp()
    bind.execute(
        events.insert().from_select(
            ["enrolment_id", "to_status", "occurred_on", "recorded_at"],
            sa.select(enrolments.c.id, sa.literal("active"), enrolments.c.enrolled_on, now),
        )
    )
    bind.execute(
        events.insert().from_select(
            ["enrolment_id", "from_status", "to_status", "occurred_on", "recorded_at"],
            sa.select(
                enrolments.c.id,
                sa.literal("active"),
                enrolments.c.status,
                sa.func.coalesce(enrolments.c.ended_on, enrolments.c.enrolled_on),
                now,
            ).where(enrolments.c.status != "active"),
        )
    )
    if doubles:
        bind.execute(
            events.update()
            .where(events.c.enrolment_id.in_(doubles), events.c.to_status == "suspended")
            .values(note="Second enrolment in progress in the programme, suspended by the migration")
        )


def downgrade():
    bind = op.get_bind()
    op.drop_table("enrolment_events")
    op.drop_index(ONE_ACTIVE, table_name="enrolments")
    # No suspended status before: a suspended enrolment was still in progress.
    bind.execute(enrolments.update().where(enrolments.c.status == "suspended").values(status="active"))
    sqlite_foreign_keys(False)
    with op.batch_alter_table("enrolments", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(STATUS_CHECK), _statuses(BEFORE))
        batch_op.drop_constraint(op.f("fk_enrolments_moved_from_id_enrolments"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_enrolments_programme_id_programmes"), type_="foreignkey")
        batch_op.drop_column("moved_from_id")
        batch_op.drop_column("programme_id")
    sqlite_foreign_keys(True)
