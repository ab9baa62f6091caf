"""The loader's problem messages: every template is a msgid with a French translation that keeps its
fields, and every problem the loader tells is made of such templates (so pages can translate it)."""

from __future__ import annotations

import string
import textwrap
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from lms.progress.audit.catalogue import CatalogError, read_catalog
from lms.progress.audit.transcripts import TranscriptError, read_transcript
from lms.progress.audit.yamlsource import Msg, Problem

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    "lms/progress/audit/catalogue.py",
    "lms/progress/audit/requirements.py",
    "lms/progress/audit/transcripts.py",
    "lms/progress/audit/transcript_models.py",
    "lms/progress/audit/documents.py",
    "lms/progress/audit/yamlsource.py",
    "lms/catalog/problems.py",
]


def marked_templates() -> set[str]:
    """The msgids Babel extracts from the loader's modules (there, only ``N_`` marks)."""
    return {message for source in SOURCES for _line, message, *_rest in extract_from_file("python", ROOT / source)}


def french() -> dict[str, str]:
    with (ROOT / "lms/translations/fr/LC_MESSAGES/messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale="fr") if m.id and "fuzzy" not in m.flags}


def fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name is not None}


def templates_of(message: Msg) -> set[str]:
    inner = (templates_of(value) for value in message.params.values() if isinstance(value, Msg))
    return {message.template}.union(*inner)


def test_every_template_has_a_french_translation_with_the_same_fields():
    templates, translations = marked_templates(), french()
    assert len(templates) > 80
    assert sorted(t for t in templates if not translations.get(t)) == []
    assert sorted(t for t in templates if fields(translations[t]) != fields(t)) == []


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


CATALOGUES = {
    "entries.yaml": """\
        units:
          - {code: abc, title: "", ects: -1, kind: UX, level: L9, colour: red}
          - {code: UE1234, title: "t", ects: 1.2, kind: UA}
          - {code: AAA100, title: "t", ects: "six", kind: UE}
          - {code: AAA100, title: "t", ects: 3, kind: UE}
          - {title: "no code", ects: 3, kind: UE}
        equivalences:
          - {units: [], counts_as: 3}
          - {units: [AAA100], counts_as: AAA100}
        programs:
          - {code: p, version: 2024, title: "P", kind: nope, level: 9, ects: 1, pass_mark: 30,
             requirements: {all: [AAA100], choose: 1}}
          - code: P2
            version: "1"
            title: "P"
            kind: master
            ects: 6
            validity_years: 0
            requirements:
              all:
                - ZZZ999
                - {unit: AAA100, label: x}
                - {weird: 1}
                - 12
                - {of: [AAA100], choose: 3, credits: -1}
                - {of: [AAA100]}
                - {all: []}
                - {all: [AAA100], label: 3, compensation: {min_average: 30, within_years: 0}}
                - {choose: 1, of: [{all: [AAA100]}], compensation: {min_average: 10}}
                - {all: "AAA100"}
        offerings:
          - {unit: 1, year: 1800, semester: S3, modality: nope, centre: x, capacity: 0}
          - {unit: AAA100, year: 2025, semester: S1, modality: foad, centre: PAR}
          - {unit: AAA100, year: 2025, semester: S1, modality: foad, centre: PAR}
        """,
    "shape.yaml": "units: {}\nprograms: [3]\nunitz: []\n",
    "list.yaml": "- 1\n",
    "syntax.yaml": "units: [\n",
    "alias.yaml": "a: &x 1\nb: *x\n",
    "tag.yaml": "a: !!python/tuple [1]\n",
    "dup.yaml": "a: 1\na: 2\n",
    "key.yaml": "? [1]\n: 2\n",
    "two.yaml": "a: 1\n---\nb: 2\n",
    "deep.yaml": "units: " + "[" * 70 + "]" * 70 + "\n",
    "bad.json": '{"units": [,]}',
    "binary.yaml": None,
}
TRANSCRIPTS = {
    "t.yaml": """\
        learner: 100234
        as_of: 2026-02-30
        note: x
        results:
          - {unit: "", grade: 21, status: nope, date: soon, session: 3, note: x}
          - {unit: MNP213, grade: "douze"}
          - {unit: MNP213}
          - {grade: 12}
          - 3
        credits:
          - {unit: CFA109, source: ves}
          - {unit: CFA109, source: nope}
        exceptions:
          - {program: P, substitute: A, for: A}
          - {substitute: A}
        """,
    "list.yaml": "- 1\n",
    "empty.yaml": "# nothing\n",
    "sections.yaml": "learner: '1X'\nresults: {}\n",
}


def catalogue_problems(tmp_path: Path) -> list[Problem]:
    paths = []
    for name, text in CATALOGUES.items():
        if text is None:
            (tmp_path / name).write_bytes(b"\xff\xfe\x00")
        else:
            write(tmp_path, name, text)
        paths.append(tmp_path / name)
    with pytest.raises(CatalogError) as caught:
        read_catalog([*paths, tmp_path / "missing.yaml"])
    return caught.value.details


def transcript_problems(tmp_path: Path) -> list[Problem]:
    found = []
    for name, text in TRANSCRIPTS.items():
        with pytest.raises(TranscriptError) as caught:
            read_transcript(write(tmp_path, name, text))
        found += caught.value.details
    return found


def test_every_problem_told_is_made_of_marked_templates(tmp_path):
    (tmp_path / "records").mkdir()
    told = catalogue_problems(tmp_path) + transcript_problems(tmp_path / "records")
    assert all(isinstance(problem, Problem) for problem in told), told
    used = set().union(*(templates_of(problem.message) for problem in told))
    assert len(used) > 60
    assert sorted(used - marked_templates()) == []
    assert "{key!r}: {detail}" not in used  # no pydantic words left untranslated by these inputs


def test_a_problem_reads_as_its_english_line_and_renders_translated():
    message = Msg("{what}: {key!r} must not be negative ({input})", {"what": Msg("unit {code}", {"code": "A1"}),
                  "key": "ects", "input": -2})  # fmt: skip
    problem = Problem("c.yaml", 3, message)
    assert str(problem) == "c.yaml:3: unit A1: 'ects' must not be negative (-2)"
    translations = french()
    assert (
        message.render(lambda text: translations.get(text) or text) == "unité A1 : 'ects' ne doit pas être négatif (-2)"
    )
    assert message.render(lambda text: "{broken") == "unit A1: 'ects' must not be negative (-2)"
