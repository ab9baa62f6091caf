"""``lms plan`` (formats.md section 7) on the real Paris catalogue: each rule of the section, and every
printed plan re-audited with its units validated (it must complete the programme). The command is
run in-process through click (no app); tests/progress/test_file_commands.py runs it as the script."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from lms.progress.audit.catalogue_cache import read_catalog_cached
from lms.progress.audit.engine import audit
from lms.progress.audit.records import ResultEntry
from lms.progress.audit.transcripts import read_transcript
from lms.progress.plan_command import plan_command

PARIS = Path(__file__).resolve().parents[2] / "lms" / "catalog" / "paris"
CATALOGUE = ("--catalog", str(PARIS), str(PARIS / "programs"))
EVENING_DISTANCE = ("presentiel_soir", "hybride_soir", "distance_planifiee_soir", "foad", "distance_planifiee_jour")
HALF_MASTER = "PRS201 PRS202 GDN217 PRS219 MNP213 MNP214 PRS210 UAIP1M EME104 MSE147 GDN100".split()


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def catalog(cache_dir):
    import os

    old = os.environ.get("LMS_CACHE_DIR")
    os.environ["LMS_CACHE_DIR"] = str(cache_dir)
    try:
        return read_catalog_cached([PARIS, PARIS / "programs"])
    finally:
        if old is None:
            del os.environ["LMS_CACHE_DIR"]
        else:
            os.environ["LMS_CACHE_DIR"] = old


def record_file(folder: Path, passed=(), registered=(), name="me.yaml", extra="") -> Path:
    lines = ["learner: '100000W'", "as_of: 2026-11-22", "results:"]
    lines += [f"  - {{unit: {code}, grade: 12, date: 2025-06-01, session: 1}}" for code in passed]
    lines += [f"  - {{unit: {code}, status: registered}}" for code in registered]
    if not passed and not registered:
        lines[-1] = "results: []"
    path = folder / name
    path.write_text("\n".join(lines) + "\n" + textwrap.dedent(extra), encoding="utf-8")
    return path


@pytest.fixture
def run(cache_dir):
    runner = CliRunner()

    def invoke(*args: str | Path, catalogue=CATALOGUE):
        result = runner.invoke(
            plan_command, [*catalogue, *map(str, args)], env={"LMS_CACHE_DIR": str(cache_dir)}, prog_name="lms plan"
        )
        return result

    return invoke


def planned(run, transcript: Path, program: str, *options: str) -> dict:
    result = run("--transcript", transcript, "--program", program, *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_plan_works(answer, catalog, transcript, pace_kind="units", pace=2, modalities=(), centres=()):
    """The plan keeps section 7's rules, and the record with every planned, registered and listed
    activity validated completes the programme (the audit of section 3)."""
    record = read_transcript(transcript)
    program = max((p for (c, _), p in catalog.programs.items() if c == answer["program"]), key=lambda p: p.version)
    assert answer["version"] == program.version and answer["status"] == "planned"
    registered = {r.unit for r in record.results if r.status == "registered"}
    offerings: dict[str, list] = {}
    for offering in catalog.offerings:
        if (not modalities or offering.modality in modalities) and (not centres or offering.centre in centres):
            offerings.setdefault(offering.unit, []).append(offering)
    last_year = {code: max(o.year for o in catalog.offerings if o.unit == code) for code in offerings}
    terms = [t["term"] for t in answer["terms"]]
    assert terms[0] == answer["from"] and terms[-1] == answer["completion"]
    planned_units: set[str] = set()
    for index, term in enumerate(answer["terms"]):
        year, semester = int(term["term"][:4]), term["term"][5:]
        assert term["term"] == f"{year}-{semester}" and semester in ("S1", "S2")
        if index:  # consecutive terms
            before = answer["terms"][index - 1]["term"]
            assert (year, semester) == (
                (int(before[:4]), "S2") if before.endswith("S1") else (int(before[:4]) + 1, "S1")
            )
        load, assumed = Fraction(0), False
        for code in term["units"]:
            ects = Fraction(str(catalog.units[code].ects))
            if code in registered:
                assert index == 0, f"{code} is registered: it is taken in --from's term"
                load += 1 if pace_kind == "units" else ects
                continue
            taught = [o for o in offerings.get(code, ()) if o.semester in (semester, "A")]
            own = [o for o in taught if o.year == year]
            repeated = [o for o in taught if year > last_year[code] and o.year == last_year[code]]
            assert own or repeated, f"{code} is not offered in {term['term']}"
            annual = all(o.semester == "A" for o in (own or repeated))
            assumed = assumed or not own
            load += 1 if pace_kind == "units" else (ects / 2 if annual else ects)
            planned_units.add(code)
        assert term["assumed"] == assumed, term
        assert load <= pace, term
    for code in answer["activities"]:
        assert catalog.units[code].kind == "UA" and code not in offerings and code not in planned_units
    extra = tuple(
        ResultEntry(code, status="validated") for code in planned_units | registered | set(answer["activities"])
    )
    done = audit(
        program,
        catalog.units,
        catalog.equivalences,
        type(record)(record.learner, record.as_of, record.results + extra, record.credits, record.exceptions),
        record.as_of,
    )
    assert done["status"] == "complete", done["missing_ects"]
    return planned_units


def test_the_rest_of_a_master_at_two_units_a_term_in_the_evening_or_at_a_distance(run, catalog, tmp_path):
    me = record_file(tmp_path, HALF_MASTER)
    modes = [f"--modality={mode}" for mode in EVENING_DISTANCE]
    answer = planned(run, me, "MR12202A", "--from", "2026-S2", "--pace-units", "2", *modes)
    assert list(answer) == ["program", "version", "from", "status", "optimal", "completion", "terms", "activities"]
    assert list(answer["terms"][0]) == ["term", "units", "ects", "assumed"]
    # tests/progress/test_planner.py proves 2028-S2 the earliest for this learner exhaustively
    assert answer["optimal"] is True and answer["completion"] == "2028-S2"
    assert answer["activities"] == ["UAIP10"]  # the mémoire: no offering, validated by decision
    assert_plan_works(answer, catalog, me, modalities=EVENING_DISTANCE)
    # the catalogue publishes 2024 to 2026: 2026-S2 uses a published offering, 2027 on repeat 2026's
    assert [t["assumed"] for t in answer["terms"]] == [False, True, True, True, True]
    for term in answer["terms"]:
        assert term["ects"] == sum(catalog.units[code].ects for code in term["units"])


def test_an_annual_offering_is_listed_in_both_terms_with_half_its_ects_in_each(run, catalog, tmp_path):
    me = record_file(tmp_path, [code for code in HALF_MASTER if code != "MSE147"])  # MSE147: annual, 9 ECTS
    modes = [f"--modality={mode}" for mode in EVENING_DISTANCE]
    answer = planned(run, me, "MR12202A", "--from", "2026-S1", "--pace-ects", "12", *modes)
    with_it = [t for t in answer["terms"] if "MSE147" in t["units"]]
    assert [t["term"][5:] for t in with_it] == ["S1", "S2"] and with_it[0]["term"][:4] == with_it[1]["term"][:4]
    for term in with_it:
        others = sum(catalog.units[code].ects for code in term["units"] if code != "MSE147")
        assert term["ects"] == others + Decimal("4.5")
    assert_plan_works(answer, catalog, me, pace_kind="ects", pace=12, modalities=EVENING_DISTANCE)


def test_every_term_is_assumed_after_the_last_published_year(run, catalog, tmp_path):
    me = record_file(tmp_path)
    answer = planned(run, me, "CC0100A", "--from", "2031-S1", "--pace-units", "2")
    assert answer["terms"] and all(t["assumed"] for t in answer["terms"])
    assert answer["terms"][0]["term"] == "2031-S1"
    assert_plan_works(answer, catalog, me)
    published = planned(run, me, "CC0100A", "--from", "2026-S1", "--pace-units", "2")
    assert not any(t["assumed"] for t in published["terms"])  # 2026 is published
    assert_plan_works(published, catalog, me)


def test_registered_units_fill_the_first_term_s_pace(run, catalog, tmp_path):
    rest = ["CFA234", "DRA106"]  # both taught in S2: the learner is taking them this term
    me = record_file(tmp_path, HALF_MASTER, registered=rest)
    modes = [f"--modality={mode}" for mode in EVENING_DISTANCE]
    answer = planned(run, me, "MR12202A", "--from", "2026-S2", "--pace-units", "2", *modes)
    assert answer["terms"][0]["units"] == rest  # the pace of 2 is full: nothing else there
    assert answer["terms"][0]["ects"] == sum(catalog.units[code].ects for code in rest)
    assert_plan_works(answer, catalog, me, modalities=EVENING_DISTANCE)
    roomier = planned(run, me, "MR12202A", "--from", "2026-S2", "--pace-units", "3", *modes)
    first = roomier["terms"][0]["units"]
    assert set(rest) <= set(first) and len(first) <= 3
    assert_plan_works(roomier, catalog, me, pace=3, modalities=EVENING_DISTANCE)


def test_only_registered_units_left_complete_at_the_end_of_the_first_term(run, catalog, tmp_path):
    me = record_file(tmp_path, ["GFN105", "GFN135", "GFN108"], registered=["GFN137"])
    answer = planned(run, me, "CC0100A", "--from", "2026-S2", "--pace-units", "1")
    assert answer["status"] == "planned" and answer["completion"] == "2026-S2"
    assert answer["terms"] == [{"term": "2026-S2", "units": ["GFN137"], "ects": 6, "assumed": False}]


def test_a_record_that_completes_the_programme_needs_no_plan(run, catalog, tmp_path):
    me = record_file(tmp_path, ["GFN105", "GFN135", "GFN108", "GFN137"])
    answer = planned(run, me, "CC0100A", "--from", "2026-S2", "--pace-units", "2")
    assert answer == {
        "program": "CC0100A",
        "version": "20261004",
        "from": "2026-S2",
        "status": "complete",
        "optimal": True,
        "completion": None,
        "terms": [],
        "activities": [],
    }


def test_impossible_when_no_accepted_offering_exists(run, catalog, tmp_path):
    me = record_file(tmp_path)
    nowhere = planned(run, me, "CC0100A", "--from", "2026-S1", "--pace-units", "2", "--centre", "LYO")
    assert nowhere["status"] == "impossible" and nowhere["completion"] is None and nowhere["terms"] == []
    # PRS219 is taught in the day only: evening and distance modes cannot complete the master
    half = record_file(tmp_path, [code for code in HALF_MASTER if code != "PRS219"], name="half.yaml")
    modes = [f"--modality={mode}" for mode in EVENING_DISTANCE]
    answer = planned(run, half, "MR12202A", "--from", "2026-S2", "--pace-units", "2", *modes)
    assert answer["status"] == "impossible" and answer["optimal"] is True


def test_modality_and_centre_filters_are_kept(run, catalog, tmp_path):
    me = record_file(tmp_path)
    modes = ("foad", "distance_planifiee_soir", "presentiel_soir")  # not hybride_soir (GFN105 has both)
    options = [f"--modality={mode}" for mode in modes]
    answer = planned(run, me, "CC0100A", "--from", "2026-S1", "--pace-units", "2", *options, "--centre", "PAR")
    assert answer["status"] == "planned"
    assert_plan_works(answer, catalog, me, modalities=modes, centres=("PAR",))
    only_foad = planned(run, me, "CC0100A", "--from", "2026-S1", "--pace-units", "2", "--modality", "foad")
    assert only_foad["status"] == "impossible"  # GFN108 is taught at a planned distance only


def test_bad_input_is_told_as_file_line_problems_with_status_2(run, tmp_path):
    me = record_file(tmp_path)
    args = ("--program", "CC0100A", "--from", "2026-S1", "--pace-units", "2")
    missing = run("--transcript", tmp_path / "nope.yaml", *args)
    assert missing.exit_code == 2 and missing.stderr.startswith(f"{tmp_path / 'nope.yaml'}:0: cannot read the file")
    broken = tmp_path / "broken.yaml"
    broken.write_text("learner: '1'\nresults:\n  - {unit: A, grade: 25}\n  - {unit B}\n")
    told = run("--transcript", broken, *args)
    assert told.exit_code == 2 and told.stderr.splitlines()[0].startswith(f"{broken}:")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("learner: '1'\nresults:\n  - {unit: A, grade: 25}\n  - {unit: B, mark: 12}\n")
    told = run("--transcript", wrong, *args)
    assert told.exit_code == 2
    assert told.stderr.splitlines() == [
        f"{wrong}:3: result of A: 'grade' must be from 0 to 20, not 25",
        f"{wrong}:4: unknown key 'mark' in result of B (expected one of unit, grade, status, date, session)",
    ]
    unknown = run("--transcript", me, "--program", "NOPE", "--from", "2026-S1", "--pace-units", "2")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith(f"{PARIS}, {PARIS / 'programs'}:0: --program: unknown programme NOPE (known: ")
    version = run(
        "--transcript", me, "--program", "CC0100A", "--version", "1999", "--from", "2026-S1", "--pace-units", "2"
    )
    assert version.exit_code == 2
    assert (
        version.stderr
        == f"{PARIS}, {PARIS / 'programs'}:0: --version: programme CC0100A has no version 1999 (known: 20261004)\n"
    )
    for options, told in [
        (("--from", "2026-S3", "--pace-units", "2"), "is not a term such as 2026-S1 or 2026-S2"),
        (("--from", "2026-S1"), "give one of --pace-units and --pace-ects"),
        (("--from", "2026-S1", "--pace-units", "2", "--pace-ects", "12"), "give one of --pace-units and --pace-ects"),
        (("--from", "2026-S1", "--pace-units", "0"), "--pace-units"),
        (("--from", "2026-S1", "--pace-units", "2", "--modality", "evening"), "--modality"),
    ]:
        result = run("--transcript", me, "--program", "CC0100A", *options)
        assert result.exit_code == 2 and told in result.stderr, (options, result.output)
        assert "Traceback" not in result.output


def test_the_search_budget_is_said(run, catalog, tmp_path, monkeypatch):
    from lms.progress.audit.planner import search

    monkeypatch.setattr(search, "SEARCH_BUDGET", 5)
    me = record_file(tmp_path, HALF_MASTER)
    result = run("--transcript", me, "--program", "MR12202A", "--from", "2026-S2", "--pace-units", "2")
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert answer["optimal"] is False and "lms plan: warning: the search limit stopped" in result.stderr
    if answer["status"] == "planned":
        assert_plan_works(answer, catalog, me)
