"""The file-only commands (``lms audit --catalog ... --transcript ...``, ``lms rank``) run without
building the web app: neither Flask nor SQLAlchemy is imported, and the checked catalogue is kept
in the user's cache folder (a changed file is read again; a catalogue with problems never cached)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from lms.cli import file_only
from lms.demo import CATALOG_DIR

PROBE = """
import sys
sys.argv = ["lms", *sys.argv[1:]]
from lms.cli import main
try:
    main()
except SystemExit as stop:
    code = stop.code or 0
else:
    code = 0
heavy = sorted(name for name in ("flask", "sqlalchemy", "lms.app", "lms.extensions") if name in sys.modules)
sys.stderr.write("HEAVY=" + ",".join(heavy) + "\\n")
sys.stderr.write(f"PYDANTIC={'pydantic' in sys.modules}\\n")  # the readers' models: only on a cache miss
sys.exit(code)
"""


def lms(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LMS_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=120)


def transcript(tmp_path: Path) -> str:
    path = tmp_path / "me.yaml"
    path.write_text("learner: '1'\nas_of: 2026-06-30\nresults:\n  - {unit: NFA031, grade: 12, date: 2025-06-13}\n")
    return str(path)


def test_which_commands_read_files_only():
    assert file_only(["audit", "--catalog", "x", "--transcript", "t", "--program", "P"])
    assert file_only(["rank", "--catalog", "x"])
    assert file_only(["plan", "--catalog", "x", "--transcript", "t", "--program", "P", "--from", "2026-S1"])
    assert not file_only(["audit", "--learner", "100000W", "--program", "P"])
    assert not file_only(["audit", "--learner=100000W", "--program", "P"])
    assert not file_only(["db", "upgrade"]) and not file_only([])


def test_audit_and_rank_from_files_import_no_web_framework(tmp_path):
    me = transcript(tmp_path)
    audited = lms(tmp_path, "audit", "--catalog", str(CATALOG_DIR), "--transcript", me, "--program", "LG02501A")
    assert audited.returncode == 0, audited.stderr
    assert json.loads(audited.stdout)["program"] == "LG02501A"
    assert "HEAVY=\n" in audited.stderr
    ranked = lms(tmp_path, "rank", "--catalog", str(CATALOG_DIR), "--transcript", me)
    assert ranked.returncode == 0 and len(json.loads(ranked.stdout)) == 6
    assert "HEAVY=\n" in ranked.stderr
    planned = lms(
        tmp_path, "plan", "--catalog", str(CATALOG_DIR), "--transcript", me, "--program", "CC0400A", "--from", "2026-S1"
    )
    assert planned.returncode == 2 and "give one of --pace-units and --pace-ects" in planned.stderr
    planned = lms(tmp_path, "plan", "--catalog", str(CATALOG_DIR), "--transcript", me, "--program", "CC0400A",
                  "--from", "2026-S1", "--pace-units", "2")  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout)["program"] == "CC0400A"
    assert "HEAVY=\n" in planned.stderr
    assert "PYDANTIC=False" in planned.stderr  # a cache hit and a right record build no pydantic model
    usage = lms(tmp_path, "audit", "--program", "LG02501A")
    assert usage.returncode == 2 and "give --catalog and --transcript" in usage.stderr


def test_the_cached_catalogue_follows_the_files_and_never_hides_problems(tmp_path):
    folder = tmp_path / "catalogue"
    folder.mkdir()
    for path in CATALOG_DIR.glob("*.yaml"):
        (folder / path.name).write_bytes(path.read_bytes())
    me = transcript(tmp_path)
    args = ("audit", "--catalog", str(folder), "--transcript", me, "--program", "CC0400A")
    first = lms(tmp_path, *args)
    assert first.returncode == 0 and list((tmp_path / "cache").glob("catalogue-*.pickle"))
    assert lms(tmp_path, *args).stdout == first.stdout  # from the cache

    units = folder / "units.yaml"
    time.sleep(0.01)
    units.write_text(units.read_text().replace("ects: 6", "ects: -6", 1))
    broken = lms(tmp_path, *args)
    assert broken.returncode == 2 and "must not be negative" in broken.stderr
    assert lms(tmp_path, *args).returncode == 2  # told again: a refused catalogue is not cached
