"""The catalogue: units, equivalences, programmes and their versions (formats.md section 1)."""

from __future__ import annotations

import enum
import secrets
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from lms.core.base import TimestampMixin, enum_type
from lms.core.db import per_transaction
from lms.core.holdings import tracks_holdings
from lms.core.search import Searchable
from lms.extensions import db
from lms.progress.audit.requirements import normalise


class UnitKind(enum.StrEnum):
    UE = "UE"
    UA = "UA"


class UnitLevel(enum.StrEnum):
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    M1 = "M1"
    M2 = "M2"


class ProgrammeKind(enum.StrEnum):
    LICENCE = "licence"
    LICENCE_PRO = "licence_pro"
    MASTER = "master"
    INGENIEUR = "ingenieur"
    TITRE_RNCP = "titre_rncp"
    DEUST = "deust"
    CERTIFICAT_COMPETENCE = "certificat_competence"
    CERTIFICAT_SPECIALISATION = "certificat_specialisation"
    CERTIFICAT_PROFESSIONNEL = "certificat_professionnel"
    MICRO_CERTIFICATION = "micro_certification"
    DIPLOME_ETABLISSEMENT = "diplome_etablissement"
    DOCTORAT = "doctorat"


# A unit concerns everyone only when what the audit reads of it changes; a new one concerns nobody.
@tracks_holdings(learner=None, columns=("code", "ects", "kind"), inserts=False)
class Unit(Searchable, TimestampMixin, db.Model):
    __tablename__ = "units"
    __search_fields__ = ("code", "title")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    ects: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1))
    kind: Mapped[UnitKind] = mapped_column(enum_type(UnitKind, "unit_kind"))
    level: Mapped[UnitLevel | None] = mapped_column(enum_type(UnitLevel, "unit_level"))

    __table_args__ = (
        sa.CheckConstraint("ects >= 0", name="ects_not_negative"),
        sa.CheckConstraint("length(code) BETWEEN 3 AND 12", name="code_length"),
        sa.CheckConstraint("kind = 'UE' OR code LIKE 'UA%'", name="ua_code_prefix"),
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


equivalence_sources = sa.Table(
    "equivalence_sources",
    db.metadata,
    sa.Column("equivalence_id", sa.ForeignKey("equivalences.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True),
)


@tracks_holdings(learner=None)
class Equivalence(db.Model):
    """Holding every source unit validated counts as ``counts_as`` validated."""

    __tablename__ = "equivalences"

    id: Mapped[int] = mapped_column(primary_key=True)
    counts_as_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    # Sorted source codes joined by "+": makes one rule unique without a multi-row constraint.
    signature: Mapped[str] = mapped_column(sa.String(255))

    counts_as: Mapped[Unit] = relationship(foreign_keys=[counts_as_id])
    sources: Mapped[list[Unit]] = relationship(secondary=equivalence_sources, order_by=Unit.code)

    __table_args__ = (sa.UniqueConstraint("counts_as_id", "signature"),)


programme_directors = sa.Table(
    "programme_directors",
    db.metadata,
    sa.Column("programme_id", sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Programme(TimestampMixin, db.Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)

    versions: Mapped[list[ProgrammeVersion]] = relationship(
        back_populates="programme", order_by="ProgrammeVersion.version", cascade="all, delete-orphan"
    )
    directors = relationship("User", secondary=programme_directors)

    @property
    def current_version(self) -> ProgrammeVersion | None:
        return self.versions[-1] if self.versions else None


# A new version concerns nobody until someone enrols (the enrolment is tracked).
@tracks_holdings(learner=None, columns=("requirements", "pass_mark", "validity_years"), inserts=False)
class ProgrammeVersion(TimestampMixin, db.Model):
    """One maquette of a programme. Learners stay on the version of their enrolment."""

    __tablename__ = "programme_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(500))
    kind: Mapped[ProgrammeKind] = mapped_column(enum_type(ProgrammeKind, "programme_kind"))
    level: Mapped[int | None]
    entry_level: Mapped[int | None]
    nominal_ects: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1))
    pass_mark: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2), default=Decimal(10), server_default="10")
    validity_years: Mapped[int | None]
    requirements: Mapped[dict[str, Any]]

    programme: Mapped[Programme] = relationship(back_populates="versions")

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "version"),
        sa.CheckConstraint("nominal_ects >= 0", name="ects_not_negative"),
        sa.CheckConstraint("pass_mark >= 0 AND pass_mark <= 20", name="pass_mark_range"),
        sa.CheckConstraint("level IS NULL OR level BETWEEN 1 AND 8", name="level_range"),
        sa.CheckConstraint("entry_level IS NULL OR entry_level BETWEEN 1 AND 8", name="entry_level_range"),
        sa.CheckConstraint("validity_years IS NULL OR validity_years >= 1", name="validity_positive"),
    )

    @validates("requirements")
    def _validate_requirements(self, _key: str, tree: Any) -> dict[str, Any]:
        return normalise(tree)

    @property
    def code(self) -> str:
        return self.programme.code

    def __repr__(self) -> str:
        return f"<ProgrammeVersion {self.programme.code if self.programme else '?'} {self.version}>"


class CatalogueGeneration(db.Model):
    """One row whose ``generation`` changes, in the same transaction, with every change of the
    catalogue the audit reads (units, equivalences, programmes, their versions): a process keeps
    its copy of the catalogue while the number it read before loading it is unchanged, whichever
    host or worker wrote. A random number rather than a counter, so that two databases copied from
    one (tests, restored backups) never share a number with different contents."""

    __tablename__ = "catalogue_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(sa.BigInteger)


CATALOGUE_MODELS = (Unit, Equivalence, Programme, ProgrammeVersion)
CATALOGUE_CHANGED = per_transaction("lms.catalog.changed")  # session.info: this transaction changed the catalogue


def new_generation() -> int:
    return secrets.randbits(62)


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _new_catalogue_generation(session: sa.orm.Session, _context: Any, _instances: Any) -> None:
    changed = (
        any(isinstance(obj, CATALOGUE_MODELS) for obj in (*session.new, *session.deleted))
        # a row merely touched (loaded into a form, a relationship appended to elsewhere) is no change
        or any(isinstance(obj, CATALOGUE_MODELS) and session.is_modified(obj) for obj in session.dirty)
    )
    if not changed:
        return
    session.info[CATALOGUE_CHANGED] = True
    table = CatalogueGeneration.__table__
    connection = session.connection()  # core statements: no ORM event, no autoflush inside the flush
    if not connection.execute(sa.update(table).values(generation=new_generation())).rowcount:
        connection.execute(sa.insert(table).values(id=1, generation=new_generation()))


CATALOGUE_TABLES = frozenset({"units", "equivalences", "equivalence_sources", "programmes", "programme_versions"})


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def _bulk_catalogue_change(state: sa.orm.ORMExecuteState) -> None:
    """An insert, update or delete statement on a catalogue table changes the generation too."""
    table = getattr(state.statement, "table", None)
    if state.is_select or table is None or table.name not in CATALOGUE_TABLES:
        return
    state.session.info[CATALOGUE_CHANGED] = True
    generation = CatalogueGeneration.__table__
    state.session.connection().execute(sa.update(generation).values(generation=new_generation()))
