"""The quick check of learner records (lms/progress/audit/transcripts.py) takes only what the pydantic
models take, and builds the same record: the models alone tell the problems. Reading a right record
imports no pydantic (the file-only commands' cached path)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lms.progress.audit.documents import read_document
from lms.progress.audit.transcript_models import checked
from lms.progress.audit.transcripts import TranscriptError, quick_record, read_transcript

RIGHT = """\
learner: " 100234X "
as_of: 2026-06-30
results:
  - {unit: MNP213, grade: 12.5, date: 2025-06-13, session: 1}
  - {unit: PRS201, grade: 8, date: "2025-01-24", session: 1}
  - {unit: PRS201, grade: 11, session: 2}
  - {unit: " UAIP1M", status: validated, date: 2025-09-01}
  - {unit: GDN217, status: registered}
  - {unit: GDN218, grade: 0, status: failed}
  - {unit: GDN219, grade: 20.0, date: null, session: null}
credits:
  - {unit: CFA109, source: ves, program: MR12202A, date: 2024-11-02}
  - {unit: DSY118, source: vae, date: 2024-06-20}
  - {unit: ANG330, source: dispense}
  - {unit: GDN100, source: transfer, program: null, date: 2023-09-01}
exceptions:
  - {program: MR12202A, substitute: GDN216, for: PRS215, reason: "jury 2026-06"}
  - {program: MR12202A, substitute: GDN217, for: PRS216, reason: 2026-06-30}
  - {program: MR12202A, substitute: GDN218, for: PRS217, reason: 12}
  - {program: MR12202A, substitute: GDN219, for: PRS218}
"""

# One change each to a right record, right or wrong: the quick check must agree with the models.
VARIANTS = [
    "learner: '1'",
    "learner: 1",
    "learner: ''",
    "learner: '  '",
    "learner: '1'\nas_of: null",
    "learner: '1'\nas_of: 2026-02-30",
    "learner: '1'\nas_of: '2026-02-30'",
    "learner: '1'\nas_of: 2026-06-30 10:00:00",
    "learner: '1'\nas_of: 20260630",
    "as_of: 2026-06-30",
    "learner: '1'\nresults: []",
    "learner: '1'\nresults: null",
    "learner: '1'\nresults: {unit: A}",
    "learner: '1'\nresults: [A]",
    "learner: '1'\nresults: [{unit: A}]",
    "learner: '1'\nresults: [{unit: A, grade: 21}]",
    "learner: '1'\nresults: [{unit: A, grade: -1}]",
    "learner: '1'\nresults: [{unit: A, grade: .nan}]",
    "learner: '1'\nresults: [{unit: A, grade: .inf}]",
    "learner: '1'\nresults: [{unit: A, grade: '12'}]",
    "learner: '1'\nresults: [{unit: A, grade: true}]",
    "learner: '1'\nresults: [{unit: A, grade: 12, session: 3}]",
    "learner: '1'\nresults: [{unit: A, grade: 12, session: true}]",
    "learner: '1'\nresults: [{unit: A, grade: 12, session: 1.0}]",
    "learner: '1'\nresults: [{unit: A, status: passed}]",
    "learner: '1'\nresults: [{unit: A, status: validated, extra: 1}]",
    "learner: '1'\nresults: [{unit: null, status: validated}]",
    "learner: '1'\nresults: [{unit: 12, status: validated}]",
    "learner: '1'\nresults: [{status: validated}]",
    "learner: '1'\nresults: [{unit: A, status: validated, date: 2025-13-01}]",
    "learner: '1'\nresults: [{unit: A, status: validated, date: ' 2025-06-01 '}]",
    "learner: '1'\nresults: [{unit: A, status: validated, date: 2025-06-01T10:00:00}]",
    "learner: '1'\ncredits: [{unit: A, source: ves}]",
    "learner: '1'\ncredits: [{unit: A, source: ves, program: P}]",
    "learner: '1'\ncredits: [{unit: A, source: jury}]",
    "learner: '1'\ncredits: [{unit: A}]",
    "learner: '1'\ncredits: [{unit: A, source: null}]",
    "learner: '1'\ncredits: [{unit: A, source: vae, program: ''}]",
    "learner: '1'\nexceptions: [{program: P, substitute: A, for: A}]",
    "learner: '1'\nexceptions: [{program: P, substitute: A, for: ' A'}]",
    "learner: '1'\nexceptions: [{program: P, substitute: A}]",
    "learner: '1'\nexceptions: [{program: P, substitute: A, replaces: B}]",
    "learner: '1'\nexceptions: [{program: P, substitute: A, for: B, reason: [x]}]",
    "learner: '1'\nexceptions: [{program: P, substitute: A, for: B, reason: null}]",
    "learner: '1'\nunknown: 1",
    "learner: '1'\n12: 1",
    "- learner: '1'",
    "just text",
]


def both(tmp_path: Path, text: str):
    path = tmp_path / "record.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    data = read_document(path)
    try:
        slow = checked(path, data)
    except TranscriptError as error:
        slow = error.problems
    return quick_record(data), slow


def test_a_right_record_is_taken_quickly_and_read_the_same(tmp_path):
    quick, slow = both(tmp_path, RIGHT)
    assert quick is not None and quick == slow
    assert quick.learner == "100234X" and quick.results[3].unit == "UAIP1M"
    assert quick.exceptions[1].reason == "2026-06-30" and quick.exceptions[2].reason == "12"
    assert [type(r.grade).__name__ for r in quick.results[:2]] == ["Decimal", "Decimal"]


@pytest.mark.parametrize("text", VARIANTS)
def test_the_quick_check_agrees_with_the_models(tmp_path, text):
    quick, slow = both(tmp_path, text)
    if quick is not None:  # taken quickly: the models take it too, as the same record
        assert not isinstance(slow, list), slow
        assert quick == slow
    path = tmp_path / "record.yaml"
    try:
        read = read_transcript(path)
    except TranscriptError as error:
        read = error.problems
    assert read == slow  # read_transcript answers as the models do


def test_reading_a_right_record_imports_no_pydantic(tmp_path):
    path = tmp_path / "record.yaml"
    path.write_text(RIGHT, encoding="utf-8")
    probe = (
        "import sys\nfrom lms.progress.audit.transcripts import read_transcript\n"
        f"read_transcript({str(path)!r})\nprint('pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
