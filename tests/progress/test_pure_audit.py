"""The pure audit package loads no web framework and no database toolkit (DESIGN principle 1).

Each check runs in a fresh interpreter: in the test process Flask and SQLAlchemy are loaded already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "flask_babel", "sqlalchemy", "werkzeug")

IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
import lms.progress.audit as package
names = [package.__name__] + [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names, "loaded": sorted(sys.modules)}))
"""


def run_python(code: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def loaded_from(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    return [name for name in modules if name.split(".")[0] in packages]


def test_every_module_of_the_audit_imports_without_flask_or_sqlalchemy():
    found = run_python(IMPORT_EVERY_MODULE)
    imported = set(found["imported"])
    # The walk saw the whole package (the test would prove nothing on an empty list).
    assert {
        "lms.progress.audit.engine",
        "lms.progress.audit.solver",
        "lms.progress.audit.ranking",
        "lms.progress.audit.whatif",
        "lms.progress.audit.planner.search",
        "lms.progress.audit.catalogue",
    } <= imported
    assert loaded_from(found["loaded"], FORBIDDEN) == []
    # Nothing of the web app either: only the audit and the packages around it.
    outside = [
        name
        for name in found["loaded"]
        if name.startswith("lms") and name not in ("lms", "lms.progress") and not name.startswith("lms.progress.audit")
    ]
    assert outside == []


def test_the_engine_does_not_import_the_modules_built_on_it():
    """No engine <-> ranking cycle: the audit alone loads neither ranking, what-if nor the planner."""
    found = run_python(
        "import json, sys, lms.progress.audit.engine; print(json.dumps({'loaded': sorted(sys.modules)}))"
    )
    above = ("lms.progress.audit.ranking", "lms.progress.audit.whatif", "lms.progress.audit.planner")
    assert [name for name in found["loaded"] if name.startswith(above)] == []
