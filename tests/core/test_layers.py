"""Layers point down: core imports no area (not even inside a function), and no module of lms/
grows past 400 lines (it becomes a package)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

LMS = Path(__file__).resolve().parents[2] / "lms"

# What core may build on: itself, the unbound extensions and the plugin machinery. Anything else
# in lms/ is an area (accounts, catalog, progress, ..., demo) or pulls them all (lms.models, lms.app).
BELOW_AREAS = ("lms.core", "lms.extensions", "lms.plugins")

MAX_LINES = 400


def module_of(path: Path) -> str:
    parts = path.relative_to(LMS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def file_of(module: str) -> Path | None:
    base = LMS.parent.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(source: str, module: str, *, is_package: bool = False, runtime_only: bool = False) -> Iterator[str]:
    """Every module ``source`` imports, at module level or inside functions and classes: for
    ``from a import b`` both ``a`` and ``a.b`` (``b`` may be a submodule), relative imports
    resolved, ``importlib.import_module("...")`` with a literal name included. ``runtime_only``
    skips ``if TYPE_CHECKING:`` blocks."""
    package = module if is_package else module.rpartition(".")[0]
    stack: list[ast.AST] = [ast.parse(source)]
    while stack:
        node = stack.pop()
        if runtime_only and isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{node.module}" if node.module else anchor
            else:
                base = node.module or ""
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value
        stack.extend(ast.iter_child_nodes(node))


def is_area(module: str) -> bool:
    """A module of lms/ above core (``lms`` itself is the empty top package)."""
    below = any(module == low or module.startswith(low + ".") for low in BELOW_AREAS)
    return module.startswith("lms.") and not below


def test_the_import_finder_sees_lazy_relative_and_typing_imports():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from lms.core.time import utcnow\n"
        "from . import navigation\n"
        "from ..accounts import models\n"
        "if TYPE_CHECKING:\n"
        "    from lms.results.models import Result\n"
        "def view():\n"
        "    from lms.timetable.queries import tutor_offerings\n"
        "    return importlib.import_module('lms.reports.views')\n"
    )
    found = set(imported(source, "lms.core.example"))
    assert {"lms.core.navigation", "lms.accounts.models", "lms.results.models"} <= found
    assert {"lms.timetable.queries", "lms.reports.views"} <= found
    assert {m for m in found if is_area(m)} == {
        "lms.accounts",
        "lms.accounts.models",
        "lms.results.models",
        "lms.results.models.Result",
        "lms.timetable.queries",
        "lms.timetable.queries.tutor_offerings",
        "lms.reports.views",
    }
    runtime = set(imported(source, "lms.core.example", runtime_only=True))
    assert "lms.results.models" not in runtime and "lms.timetable.queries" in runtime


def test_core_imports_no_area():
    """Core's own modules name no area at all (not even for typing); what they reach below them
    (extensions, plugin machinery) imports no area when the code runs."""
    core = sorted((LMS / "core").rglob("*.py"))
    assert core, "lms/core not found"
    offences = []
    seen = {module_of(path) for path in core}
    queue = [(path, False) for path in core]
    while queue:
        path, runtime_only = queue.pop()
        name = module_of(path)
        modules = set(
            imported(path.read_text(), name, is_package=path.name == "__init__.py", runtime_only=runtime_only)
        )
        offences += [
            f"{path.relative_to(LMS.parent)} imports {module}" for module in sorted(modules) if is_area(module)
        ]
        for module in modules:
            target = file_of(module) if module.startswith("lms.") and not is_area(module) else None
            if target is not None and module_of(target) not in seen:
                seen.add(module_of(target))
                queue.append((target, True))
    assert offences == []


def test_no_module_of_lms_is_longer_than_400_lines():
    lengths = {str(path.relative_to(LMS.parent)): len(path.read_text().splitlines()) for path in LMS.rglob("*.py")}
    too_long = {path: lines for path, lines in lengths.items() if lines > MAX_LINES}
    assert too_long == {}, "make these modules packages"
