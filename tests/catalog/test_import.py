"""The catalogue import service: a pure plan, then an all-or-nothing apply (both engines)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.catalog.export import catalog_texts, write_catalog
from lms.catalog.models import Equivalence, Programme, ProgrammeVersion, Unit, UnitLevel
from lms.catalog.problems import plan_problems
from lms.catalog.queries import catalog_from_database, database_unit_codes
from lms.catalog.services import ImportRefused, apply_import, plan_import
from lms.demo import CATALOG_DIR
from lms.extensions import db
from lms.intakes.models import Enrolment
from lms.progress.audit.catalogue import EquivalenceDef, read_catalog
from lms.timetable.models import Offering
from tests.catalog.conftest import import_real_catalogue, row_counts, write

REAL = {"units": 151, "equivalences": 0, "programmes": 6, "versions": 6, "offerings": 342, "centres": 1}


def plan_files(*paths):
    return plan_import(read_catalog(paths, known_units=database_unit_codes()))


def assert_all_unchanged(plan, units=151, versions=6, offerings=342):
    assert plan.ok and not plan.has_changes, plan.counts()
    assert len(plan.units_unchanged) == units
    assert len(plan.versions_unchanged) == versions
    assert plan.offerings_unchanged == offerings


# --- round trip and idempotence ---------------------------------------------------------------------


def test_import_of_the_real_catalogue_then_export_round_trips(app, second_app, tmp_path):
    original = read_catalog([CATALOG_DIR])
    with app.app_context():
        plan = plan_import(original)
        assert plan.ok and plan.counts()["units_added"] == 151 and plan.centres_added == ["PAR"]
        assert all(added.new_programme for added in plan.versions_added)
        apply_import(plan)
        db.session.commit()
        assert row_counts() == REAL
        exported = tmp_path / "export"
        written = write_catalog(catalog_from_database(), exported, header="test export")
        assert {p.name for p in written} == {
            "units.yaml",
            "offerings.yaml",
            "CC0400A.yaml",
            "CPN0400A.yaml",
            "CS6800A.yaml",
            "CYC9106A.yaml",
            "LG02501A.yaml",
            "MR12202A.yaml",
        }
        # planning the export against the same database finds no difference
        assert_all_unchanged(plan_files(exported))

    # the exported files say exactly what the original ones say
    again = read_catalog([exported])
    assert again.units == original.units
    assert again.programs == original.programs
    assert again.equivalences == original.equivalences
    assert sorted(again.offerings, key=repr) == sorted(original.offerings, key=repr)

    # importing the export into a fresh database gives the same catalogue, and exports identically
    with second_app.app_context():
        apply_import(plan_files(exported))
        db.session.commit()
        assert row_counts() == REAL
        assert catalog_texts(catalog_from_database()) == catalog_texts(again)
        assert_all_unchanged(plan_files(CATALOG_DIR))


def test_requirement_trees_are_exported_readably():
    texts = catalog_texts(read_catalog([CATALOG_DIR]))
    licence = texts["LG02501A.yaml"]
    assert "all: [MVA003, NFA031, NFA032, NFA035, NFA004, MVA004, NFA003, NFA010]" in licence
    assert "- label: L1\n" in licence and "{unit:" not in licence
    assert "choose: 4\n              credits: 14\n" in texts["MR12202A.yaml"]
    assert "version: '20261004'" in licence  # a version stays text
    assert "- {code: UAAL0S, title: " in texts["units.yaml"]


def test_the_same_files_twice_change_nothing(app):
    with app.app_context():
        import_real_catalogue()
        before = row_counts()
        plan = plan_files(CATALOG_DIR)
        assert_all_unchanged(plan)
        assert apply_import(plan)["units_added"] == 0
        db.session.commit()
        assert row_counts() == before == REAL


# --- all or nothing -------------------------------------------------------------------------------------


def test_a_conflict_anywhere_writes_nothing(app, tmp_path):
    with app.app_context():
        import_real_catalogue()
        first = write(
            tmp_path,
            "a.yaml",
            """\
            units:
              - {code: NEW101, title: "Nouvelle UE", ects: 6, kind: UE}
            programs:
              - {code: NEWPROG, version: "1", title: "Nouveau", kind: certificat_competence, ects: 6,
                 requirements: {all: [NEW101]}}
            offerings:
              - {unit: NEW101, year: 2026, semester: S1, modality: foad, centre: LYO}
            """,
        )
        second = write(
            tmp_path,
            "b.yaml",
            """\
            programs:
              - code: CC0400A
                version: "20261004"
                title: "Certificat de compétence Introduction à la cyberstructure de l'informatique en nuage"
                kind: certificat_competence
                ects: 36
                requirements: {all: [NSY104, RSX101]}
            """,
        )
        plan = plan_files(first, second)
        assert not plan.ok
        assert [c.program.code for c in plan.version_conflicts] == ["CC0400A"]
        assert plan.problems == [
            f"{second}:2: program CC0400A version 20261004 differs from the one in the database (requirements); "
            "a version cannot change once defined: give the new maquette a new version"
        ]
        assert [str(problem) for problem in plan_problems(plan)] == plan.problems  # the page's, in English
        with pytest.raises(ImportRefused) as refused:
            apply_import(plan)
        assert refused.value.problems == plan.problems
        db.session.rollback()
        assert row_counts() == REAL
        assert db.session.scalar(sa.select(Unit).where(Unit.code == "NEW101")) is None


# --- versions -------------------------------------------------------------------------------------------


LICENCE_V2 = """\
    programs:
      - code: LG02501A
        version: "2027"
        title: "Licence informatique Parcours Informatique générale"
        kind: licence
        level: 6
        entry_level: 4
        ects: 180
        requirements:
          label: "Licence (maquette 2027)"
          all:
            - NFA031
            - label: "Deux UE au choix"
              choose: 2
              of: [NFA032, NFA035, NFA004]
    """


def test_a_new_version_is_added_and_enrolments_stay_on_theirs(demo_app, tmp_path):
    v2 = write(tmp_path, "LG02501A.yaml", LICENCE_V2)
    with demo_app.app_context():
        v1 = db.session.scalar(sa.select(ProgrammeVersion).join(Programme).where(Programme.code == "LG02501A"))
        enrolled = {
            e.id: e.programme_version_id
            for e in db.session.scalars(sa.select(Enrolment).where(Enrolment.programme_version_id == v1.id))
        }
        assert enrolled
        plan = plan_files(v2)
        assert plan.ok and [(a.program.version, a.new_programme) for a in plan.versions_added] == [("2027", False)]
        apply_import(plan)
        db.session.commit()

        versions = db.session.scalars(
            sa.select(ProgrammeVersion.version)
            .join(Programme)
            .where(Programme.code == "LG02501A")
            .order_by(ProgrammeVersion.version)
        ).all()
        assert versions == ["20261004", "2027"]
        assert db.session.get(ProgrammeVersion, v1.id).version == "20261004"
        now = {
            e.id: e.programme_version_id
            for e in db.session.scalars(sa.select(Enrolment).where(Enrolment.id.in_(enrolled)))
        }
        assert now == enrolled
        assert_all_unchanged(plan_files(v2), units=0, versions=1, offerings=0)


def test_a_changed_maquette_under_an_existing_version_is_refused(demo_app, tmp_path):
    same_version = write(tmp_path, "LG02501A.yaml", LICENCE_V2.replace('"2027"', '"20261004"'))
    with demo_app.app_context():
        plan = plan_files(same_version)
        assert [(c.program.version, c.fields) for c in plan.version_conflicts] == [("20261004", ("requirements",))]
        assert plan.problems[0].startswith(f"{same_version}:2: program LG02501A version 20261004 differs")
        with pytest.raises(ImportRefused):
            apply_import(plan)


# --- units ----------------------------------------------------------------------------------------------


def test_unit_title_and_level_may_change(app, tmp_path):
    with app.app_context():
        import_real_catalogue()
        changed = write(
            tmp_path,
            "units.yaml",
            """\
            units:
              - {code: NFA031, title: "Programmation avec Java : notions de base (nouveau titre)", ects: 6, kind: UE, level: L2}
            """,
        )
        plan = plan_files(changed)
        assert plan.ok and [c.unit.code for c in plan.units_changed] == ["NFA031"]
        assert {c.field for c in plan.units_changed[0].changes} == {"title", "level"}
        apply_import(plan)
        db.session.commit()
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == "NFA031"))
        assert unit.title.endswith("(nouveau titre)") and unit.level is UnitLevel.L2
        assert_all_unchanged(plan_files(changed), units=1, versions=0, offerings=0)


def test_unit_ects_or_kind_change_is_refused_when_a_version_uses_it(app, tmp_path):
    with app.app_context():
        import_real_catalogue()
        apply_import(
            plan_files(
                write(
                    tmp_path,
                    "new.yaml",
                    """\
            units:
              - {code: NEW101, title: "Nouvelle UE", ects: 6, kind: UE}
            """,
                )
            )
        )
        db.session.commit()
        changed = write(
            tmp_path,
            "units.yaml",
            """\
            units:
              - {code: NFA031, title: "Programmation avec Java : notions de base", ects: 9, kind: UE, level: L1}
              - {code: UAAL0S, title: "Expérience professionnelle", ects: 50, kind: UE}
              - {code: NEW101, title: "Nouvelle UE", ects: 3, kind: UE}
            """,
        )
        plan = plan_files(changed)
        # NFA031 and UAAL0S are in the licence; NEW101 is in no programme: its ECTS may change
        assert [c.unit.code for c in plan.unit_conflicts] == ["NFA031", "UAAL0S"]
        ects, kind = plan.unit_conflicts
        assert [(c.field, c.old, c.new) for c in ects.changes] == [("ects", Decimal(6), Decimal(9))]
        assert [(c.field, c.old, c.new) for c in kind.changes] == [("kind", "UA", "UE")]
        assert ects.used_by == ("LG02501A 20261004",)
        assert plan.problems[0] == (
            f"{changed}:2: unit NFA031: ects 6 -> 9 refused: programme versions LG02501A 20261004 use it "
            "(their audits would change); give the unit a new code"
        )
        assert plan.problems[1].startswith(f"{changed}:3: unit UAAL0S: kind UA -> UE refused")
        assert [str(problem) for problem in plan_problems(plan)] == plan.problems  # the page's, in English
        assert [c.unit.code for c in plan.units_changed] == ["NEW101"]
        with pytest.raises(ImportRefused):
            apply_import(plan)
        db.session.rollback()
        assert db.session.scalar(sa.select(Unit.ects).where(Unit.code == "NEW101")) == 6

        unused = write(
            tmp_path,
            "unused.yaml",
            """\
            units:
              - {code: NEW101, title: "Nouvelle UE", ects: 3, kind: UE}
            """,
        )
        apply_import(plan_files(unused))
        db.session.commit()
        assert db.session.scalar(sa.select(Unit.ects).where(Unit.code == "NEW101")) == 3


# --- equivalences, offerings, partial files ---------------------------------------------------------------


def test_equivalences_are_added_once_and_exported(app, tmp_path):
    with app.app_context():
        import_real_catalogue()
        rules = write(
            tmp_path,
            "equivalences.yaml",
            """\
            units:
              - {code: NFA001, title: "Algorithmique et programmation 1", ects: 6, kind: UE}
              - {code: NFA002, title: "Algorithmique et programmation 2", ects: 6, kind: UE}
            equivalences:
              - {units: [NFA002, NFA001], counts_as: NFA031}
            """,
        )
        plan = plan_files(rules)
        assert [(e.units, e.counts_as) for e in plan.equivalences_added] == [(("NFA001", "NFA002"), "NFA031")]
        apply_import(plan)
        db.session.commit()
        equivalence = db.session.scalar(sa.select(Equivalence))
        assert [u.code for u in equivalence.sources] == ["NFA001", "NFA002"] and equivalence.counts_as.code == "NFA031"
        again = plan_files(rules)
        assert not again.has_changes and again.equivalences_unchanged == 1
        texts = catalog_texts(catalog_from_database())
        assert texts["equivalences.yaml"].endswith("equivalences:\n  - {units: [NFA001, NFA002], counts_as: NFA031}\n")
        write_catalog(catalog_from_database(), tmp_path / "out")
        assert read_catalog([tmp_path / "out"]).equivalences == [EquivalenceDef(("NFA001", "NFA002"), "NFA031")]


def test_offering_capacity_is_updated_only_when_the_file_gives_one(app, tmp_path):
    with app.app_context():
        import_real_catalogue()
        with_capacity = write(
            tmp_path,
            "offerings.yaml",
            """\
            offerings:
              - {unit: ANG100, year: 2024, semester: S1, modality: hybride_soir, centre: PAR, capacity: 25}
              - {unit: ANG100, year: 2027, semester: S1, modality: hybride_soir, centre: PAR, capacity: 30}
            """,
        )
        plan = plan_files(with_capacity)
        assert len(plan.offerings_added) == 1 and [c.old_capacity for c in plan.offerings_changed] == [None]
        apply_import(plan)
        db.session.commit()
        capacities = dict(
            db.session.execute(
                sa.select(Offering.academic_year, Offering.capacity)
                .join(Unit)
                .where(Unit.code == "ANG100", Offering.semester == "S1")
            ).all()
        )
        assert capacities == {2024: 25, 2025: None, 2027: 30}
        # the real files say nothing about capacity: they keep the database's
        assert_all_unchanged(plan_files(CATALOG_DIR), offerings=342)


def test_a_programme_file_alone_may_name_units_of_the_database(app, tmp_path):
    lone = write(
        tmp_path,
        "NEWCERT.yaml",
        """\
        programs:
          - {code: NEWCERT, version: "2026", title: "Certificat", kind: certificat_competence, ects: 12,
             requirements: {all: [NFA031, NFA032]}}
        """,
    )
    with app.app_context():
        import_real_catalogue()
        plan = plan_files(lone)
        assert plan.ok and [(a.program.code, a.new_programme) for a in plan.versions_added] == [("NEWCERT", True)]
        apply_import(plan)
        db.session.commit()
        assert (
            db.session.scalar(sa.select(Programme).where(Programme.code == "NEWCERT")).current_version.version == "2026"
        )


def test_two_new_versions_of_a_new_programme_create_it_once(app, tmp_path):
    both = write(
        tmp_path,
        "units.yaml",
        """\
        units:
          - {code: NEW101, title: "Nouvelle UE", ects: 6, kind: UE}
        programs:
          - {code: NEWPROG, version: "1", title: "Nouveau", kind: certificat_competence, ects: 6, requirements: NEW101}
          - {code: NEWPROG, version: "2", title: "Nouveau", kind: certificat_competence, ects: 6, requirements: NEW101}
        """,
    )
    with app.app_context():
        plan = plan_files(both)
        assert [a.new_programme for a in plan.versions_added] == [True, False]
        apply_import(plan)
        db.session.commit()
        assert [v.version for v in db.session.scalar(sa.select(Programme)).versions] == ["1", "2"]


def test_apply_reports_progress(app):
    steps = []
    with app.app_context():
        plan = plan_import(read_catalog([CATALOG_DIR]))
        apply_import(plan, progress=steps.append)
        assert sum(steps) == plan.work == 151 + 6 + 1 + 342
