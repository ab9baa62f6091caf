"""The engine's shape cache (lms/progress/audit/shape.py): keyed by programme code and version, so
a bulk re-audit that reads an equal catalogue per batch reuses one shape per programme version
instead of keeping every catalogue alive; a changed version or content never gets a stale shape."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lms.progress.audit.catalogue import read_catalog
from lms.progress.audit.engine import audit
from lms.progress.audit.shape import SHAPES, ShapeCache
from lms.progress.audit.transcripts import read_transcript

UNITS = """\
units:
  - {code: AAA101, title: "A", ects: 6, kind: UE}
  - {code: BBB101, title: "B", ects: 6, kind: UE}
  - {code: CCC101, title: "C", ects: 3, kind: UE}
"""

PROGRAMME = """\
programs:
  - code: ZZ0001A
    version: "{version}"
    title: "Certificat de test"
    kind: certificat_competence
    ects: {ects}
    requirements:
      label: "Certificat"
      all: [{leaves}]
"""

RECORD = """\
learner: "900001A"
as_of: 2026-06-30
results:
  - {unit: AAA101, grade: 12, date: 2025-06-13, session: 1}
  - {unit: CCC101, grade: 14, date: 2025-06-13, session: 1}
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def catalogue(folder: Path, version: str = "1", leaves: str = "AAA101, BBB101", ects: int = 12, units: str = UNITS):
    write(folder, "units.yaml", units)
    write(folder, "ZZ0001A.yaml", PROGRAMME.format(version=version, leaves=leaves, ects=ects))
    return read_catalog([folder])


@pytest.fixture
def record(tmp_path):
    return read_transcript(write(tmp_path, "record.yaml", RECORD))


def run(catalog, version: str, record) -> dict:
    program = catalog.programs[("ZZ0001A", version)]
    return audit(program, catalog.units, catalog.equivalences, record)


def test_equal_catalogues_read_again_share_one_shape(tmp_path, record):
    SHAPES.clear()
    first = catalogue(tmp_path / "cat")
    expected = run(first, "1", record)
    shape = SHAPES.shape(first.programs[("ZZ0001A", "1")], first.units)
    for _batch in range(20):  # a bulk re-audit reads the catalogue again for every batch
        again = read_catalog([tmp_path / "cat"])
        assert again.programs[("ZZ0001A", "1")] is not first.programs[("ZZ0001A", "1")]
        assert run(again, "1", record) == expected
    assert len(SHAPES) == 1
    program = again.programs[("ZZ0001A", "1")]
    assert SHAPES.shape(program, again.units) is shape
    # The shape now refers to the last catalogue read only, so the earlier ones can be freed.
    assert shape.program is program and shape.units is again.units


def test_another_version_of_the_same_programme_gets_its_own_shape(tmp_path, record):
    SHAPES.clear()
    one = catalogue(tmp_path / "v1", version="1", leaves="AAA101, BBB101")
    two = catalogue(tmp_path / "v2", version="2", leaves="AAA101, CCC101", ects=9)
    first, second = run(one, "1", record), run(two, "2", record)
    assert (first["status"], first["missing_ects"], first["nominal_ects"]) == ("incomplete", 6, 12)
    assert (second["status"], second["missing_ects"], second["nominal_ects"]) == ("complete", 0, 9)
    assert len(SHAPES) == 2
    assert run(one, "1", record) == first  # version 1 again: its own shape, not version 2's


def test_changed_content_under_the_same_version_is_rebuilt(tmp_path, record):
    SHAPES.clear()
    before = run(catalogue(tmp_path / "a", leaves="AAA101, BBB101"), "1", record)
    tree_changed = run(catalogue(tmp_path / "b", leaves="AAA101, CCC101"), "1", record)
    assert before["missing_ects"] == 6 and tree_changed["status"] == "complete"
    cheaper = UNITS.replace('{code: BBB101, title: "B", ects: 6', '{code: BBB101, title: "B", ects: 3')
    ects_changed = run(catalogue(tmp_path / "c", units=cheaper), "1", record)
    assert ects_changed["missing_ects"] == 3
    assert ects_changed["requirements"]["children"][1]["unit"] == "BBB101"
    assert len(SHAPES) == 1


def test_the_cache_is_bounded_and_drops_the_least_recently_used(tmp_path):
    cache = ShapeCache(size=2)
    catalogs = {version: catalogue(tmp_path / version, version=version) for version in ("1", "2", "3")}

    def shape(version):
        found = catalogs[version]
        return cache.shape(found.programs[("ZZ0001A", version)], found.units)

    one, two = shape("1"), shape("2")
    assert shape("1") is one  # used again: now the most recent
    shape("3")
    assert len(cache) == 2
    assert shape("1") is one  # kept
    assert shape("2") is not two  # dropped, built again
