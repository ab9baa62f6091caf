"""The catalogue loader: the real Cnam files load; malformed files are refused with FILE:LINE."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lms.demo import CATALOG_DIR
from lms.progress.audit.catalogue import CatalogError, read_catalog
from lms.progress.audit.requirements import RequirementError, normalise, unit_codes

SHARED_CATALOG = Path(__file__).resolve().parents[3] / "shared" / "catalog"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(*paths: Path) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        read_catalog(paths)
    return caught.value.problems


def test_real_cnam_catalogue_loads():
    catalog = read_catalog([CATALOG_DIR])
    assert len(catalog.units) == 151
    assert sum(unit.kind == "UA" for unit in catalog.units.values()) == 11
    assert {code for code, _ in catalog.programs} == {
        "MR12202A",
        "CS6800A",
        "LG02501A",
        "CPN0400A",
        "CC0400A",
        "CYC9106A",
    }
    assert len(catalog.offerings) == 342
    licence = next(p for (code, _), p in catalog.programs.items() if code == "LG02501A")
    assert licence.ects == 180 and licence.kind == "licence" and licence.entry_level == 4
    assert {"UAAL0S", "UAAL0T", "NFA031"} <= set(unit_codes(licence.requirements))


@pytest.mark.skipif(not SHARED_CATALOG.exists(), reason="../shared is not beside the clone")
def test_packaged_copy_matches_shared_catalogue():
    for shared in sorted(SHARED_CATALOG.glob("*.yaml")):
        assert (CATALOG_DIR / shared.name).read_text() == shared.read_text(), shared.name


def test_every_problem_is_reported_with_file_and_line(tmp_path):
    bad = write(
        tmp_path,
        "bad.yaml",
        """\
        units:
          - {code: AAA100, title: "Alpha", ects: 6, kind: UE}
          - {code: abc, title: "x", ects: -1, kind: UX, colour: red}
        programs:
          - code: P1
            version: "1"
            title: "P"
            kind: master
            ects: 10
            requirements:
              all:
                - AAA100
                - ZZZ999
                - {weird: 1}
        """,
    )
    found = problems(bad)
    assert f"{bad}:3: unknown key 'colour' in unit abc" in found
    assert f"{bad}:3: invalid unit code 'abc' (expected [A-Z0-9]{{3,12}})" in found
    assert f"{bad}:3: unit abc: 'ects' must not be negative (-1)" in found
    assert f"{bad}:3: unit abc: 'kind' must be UE or UA, not 'UX'" in found
    assert any(p.startswith(f"{bad}:14: program P1:") and "unit, a slot, or a group" in p for p in found)
    assert f"{bad}:11: unit ZZZ999 is not in the catalogue" in found


def test_yaml_syntax_error_and_unreadable_file(tmp_path):
    broken = write(tmp_path, "broken.yaml", "units: [\n  - {code: X\n")
    missing = tmp_path / "missing.yaml"
    found = problems(broken, missing)
    assert any(p.startswith(f"{broken}:") and "YAML syntax error" in p for p in found)
    assert any(p.startswith(f"{missing}:0: cannot read the file") for p in found)


def test_unit_defined_twice_differently_across_files(tmp_path):
    first = write(tmp_path, "a.yaml", 'units:\n  - {code: AAA100, title: "Alpha", ects: 6, kind: UE}\n')
    second = write(tmp_path, "b.yaml", 'units:\n  - {code: AAA100, title: "Alpha", ects: 3, kind: UE}\n')
    assert problems(first, second) == [f"{second}:2: unit AAA100 is defined differently in {first}:2"]
    # the same definition twice is fine
    write(tmp_path, "b.yaml", 'units:\n  - {code: AAA100, title: "Alpha", ects: 6, kind: UE}\n')
    assert list(read_catalog([tmp_path]).units) == ["AAA100"]


def test_compensation_only_on_all_groups_of_leaves(tmp_path):
    path = write(
        tmp_path,
        "c.yaml",
        """\
        units:
          - {code: AAA100, title: "A", ects: 6, kind: UE}
          - {code: BBB100, title: "B", ects: 6, kind: UE}
        programs:
          - code: P1
            version: "1"
            title: "P"
            kind: licence
            ects: 12
            requirements:
              choose: 1
              of: [AAA100, BBB100]
              compensation: {min_average: 10}
        """,
    )
    assert problems(path) == [f"{path}:11: program P1: compensation is allowed only on an 'all' group of unit leaves"]


def test_unknown_top_level_key_and_duplicate_key(tmp_path):
    path = write(tmp_path, "d.yaml", "unitz: []\n")
    assert problems(path) == [
        f"{path}:1: unknown key 'unitz' (expected one of equivalences, offerings, programs, units)"
    ]
    dup = write(tmp_path, "e.yaml", 'units:\n  - {code: AAA100, code: BBB100, title: "A", ects: 6, kind: UE}\n')
    assert any("duplicate key 'code'" in p for p in problems(dup))


@pytest.mark.parametrize(
    "node, message",
    [
        ({"choose": 0, "of": ["AAA100"]}, "'choose' must be a whole number >= 1"),
        ({"choose": 3, "of": ["AAA100", "BBB100"]}, "asks more than the 2 listed"),
        ({"credits": -1, "of": ["AAA100"]}, "'credits' must be a number >= 0"),
        ({"of": ["AAA100"]}, "'of' needs 'choose' and/or 'credits'"),
        ({"all": []}, "must be a non-empty list"),
        ({"all": ["AAA100"], "choose": 1}, "'all' cannot be combined"),
        (42, "must be a unit code or a mapping"),
    ],
)
def test_requirement_nodes_of_no_known_form(node, message):
    with pytest.raises(RequirementError) as caught:
        normalise(node)
    assert message in str(caught.value)


def test_normal_form_of_leaves_and_groups():
    tree = normalise({"label": "L", "choose": 2, "credits": 14, "of": ["AAA100", {"unit": "BBB100"}, "CCC100"]})
    assert tree == {
        "label": "L",
        "choose": 2,
        "credits": 14,
        "of": [{"unit": "AAA100"}, {"unit": "BBB100"}, {"unit": "CCC100"}],
    }


def test_aliases_and_non_scalar_keys_are_refused(tmp_path):
    aliased = write(tmp_path, "a.yaml", 'units:\n  - &u {code: AAA100, title: "A", ects: 6, kind: UE}\n  - *u\n')
    complex_key = write(tmp_path, "b.yaml", "units:\n  - {? [x]: 1}\n")
    assert problems(aliased) == [f"{aliased}:3: YAML syntax error: aliases (*name) are not allowed in these files"]
    assert problems(complex_key) == [f"{complex_key}:2: YAML syntax error: a key must be a plain word or number"]


def test_deep_nesting_is_refused_cleanly(tmp_path):
    # Within libyaml's own limit (a flow collection) and beyond it: a clean FILE:LINE, no RecursionError.
    deep_tree = "programs:\n  - requirements: " + "{all: [" * 70 + "AAA100" + "]}" * 70 + "\n"
    deepest = "units: " + "[" * 5000 + "]" * 5000 + "\n"
    block = "units:\n" + "".join(" " * (2 * depth) + "- \n" for depth in range(1, 200))
    for name, text in (("tree.yaml", deep_tree), ("flow.yaml", deepest), ("block.yaml", block)):
        path = write(tmp_path, name, text)
        found = problems(path)
        assert len(found) == 1 and found[0].startswith(f"{path}:") and "YAML syntax error" in found[0], found


def test_non_finite_numbers_are_refused(tmp_path):
    path = write(
        tmp_path,
        "n.yaml",
        """\
        units:
          - {code: AAA100, title: "A", ects: .nan, kind: UE}
          - {code: BBB100, title: "B", ects: .inf, kind: UE}
        programs:
          - {code: P1, version: "1", title: "P", kind: master, ects: 6, pass_mark: .nan,
             requirements: {credits: .inf, of: [AAA100]}}
        """,
    )
    assert problems(path) == [
        f"{path}:2: unit AAA100: 'ects' must be a number, not nan",
        f"{path}:3: unit BBB100: 'ects' must be a number, not inf",
        f"{path}:5: program P1: 'pass_mark' must be a number, not nan",
        f"{path}:6: program P1: 'credits' must be a number >= 0, not inf",
        f"{path}:6: unit AAA100 is not in the catalogue",
    ]


def test_whole_numbers_stay_whole_in_the_normal_form(tmp_path):
    path = write(
        tmp_path,
        "w.yaml",
        """\
        units:
          - {code: AAA100, title: "A", ects: 6, kind: UE}
        programs:
          - {code: P1, version: "1", title: "P", kind: master, ects: 6, requirements: {credits: 6, of: [AAA100]}}
        """,
    )
    program = read_catalog([path]).programs["P1", "1"]
    assert program.requirements == {"credits": 6, "of": [{"unit": "AAA100"}]}
    assert type(program.requirements["credits"]) is int and str(program.ects) == "6"


def test_a_tree_nested_too_deeply_is_a_requirement_error():
    tree = "AAA100"
    for _ in range(3000):  # as a JSON column or an API call could hold it: no YAML depth limit on the way
        tree = {"all": [tree]}
    with pytest.raises(RequirementError, match="nested too deeply"):
        normalise(tree)
