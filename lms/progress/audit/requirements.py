"""The requirement tree of formats.md section 1: checking a node and putting it in normal form.

Pure Python (no Flask, no database) so the audit engine, the loader and the model share it.

Normal form, as stored in ``programme_versions.requirements``:

- a leaf is ``{"unit": "CODE"}``;
- a group is ``{"all": [...]}``, ``{"choose": N, "of": [...]}``, ``{"credits": X, "of": [...]}``
  or ``{"choose": N, "credits": X, "of": [...]}``, with optional ``label`` and ``compensation``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from numbers import Real
from typing import Any

UNIT_CODE = re.compile(r"^[A-Z0-9]{3,12}$")
GROUP_KEYS = {"all", "choose", "credits", "of", "label", "compensation"}
COMPENSATION_KEYS = {"min_average", "floor", "within_years"}


@dataclass(frozen=True)
class TreeProblem:
    """A problem at ``path`` (a tuple of keys and indexes from the root) of the tree."""

    path: tuple[str | int, ...]
    message: str


class RequirementError(ValueError):
    def __init__(self, problems: list[TreeProblem]):
        self.problems = problems
        super().__init__("; ".join(f"{'/'.join(map(str, p.path)) or 'root'}: {p.message}" for p in problems))


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def normalise(node: Any) -> dict[str, Any]:
    """The normal form of ``node``; raises :class:`RequirementError` listing every problem."""
    problems: list[TreeProblem] = []
    result = _normalise(node, (), problems)
    if problems:
        raise RequirementError(problems)
    return result


def _normalise(node: Any, path: tuple[str | int, ...], problems: list[TreeProblem]) -> dict[str, Any]:
    if isinstance(node, str):
        node = {"unit": node}
    if not isinstance(node, dict):
        problems.append(TreeProblem(path, f"a requirement must be a unit code or a mapping, not {type(node).__name__}"))
        return {}
    if "unit" in node:
        extra = set(node) - {"unit"}
        if extra:
            problems.append(TreeProblem(path, f"unknown key(s) beside 'unit': {', '.join(sorted(map(str, extra)))}"))
        code = node["unit"]
        if not isinstance(code, str) or not UNIT_CODE.match(code):
            problems.append(TreeProblem(path, f"invalid unit code {code!r} (expected [A-Z0-9]{{3,12}})"))
        return {"unit": code}

    unknown = set(node) - GROUP_KEYS
    if unknown:
        problems.append(TreeProblem(path, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}"))
    out: dict[str, Any] = {}
    if "label" in node and node["label"] is not None:
        if not isinstance(node["label"], str):
            problems.append(TreeProblem(path, "label must be text"))
        out["label"] = node["label"]

    if "all" in node:
        if {"choose", "credits", "of"} & set(node):
            problems.append(TreeProblem(path, "'all' cannot be combined with 'choose', 'credits' or 'of'"))
        children_key = "all"
    elif "of" in node:
        if "choose" not in node and "credits" not in node:
            problems.append(TreeProblem(path, "'of' needs 'choose' and/or 'credits'"))
        children_key = "of"
        if "choose" in node:
            n = node["choose"]
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                problems.append(TreeProblem(path, f"'choose' must be a whole number >= 1, not {n!r}"))
            out["choose"] = n
        if "credits" in node:
            x = node["credits"]
            if not _is_number(x) or x < 0:
                problems.append(TreeProblem(path, f"'credits' must be a number >= 0, not {x!r}"))
            out["credits"] = x
    else:
        problems.append(TreeProblem(path, "a node must be a unit, or a group with 'all' or 'of'"))
        return out

    children = node[children_key]
    if not isinstance(children, list) or not children:
        problems.append(TreeProblem(path + (children_key,), "must be a non-empty list of requirements"))
        children = []
    normal_children = [_normalise(child, path + (children_key, i), problems) for i, child in enumerate(children)]
    out[children_key] = normal_children
    if isinstance(out.get("choose"), int) and out["choose"] > len(children) > 0:
        problems.append(TreeProblem(path, f"'choose: {out['choose']}' asks more than the {len(children)} listed"))

    if "compensation" in node:
        out["compensation"] = _compensation(node["compensation"], path, problems)
        if children_key != "all" or not all(isinstance(c, dict) and "unit" in c for c in normal_children):
            problems.append(TreeProblem(path, "compensation is allowed only on an 'all' group of unit leaves"))
    return out


def _compensation(value: Any, path: tuple[str | int, ...], problems: list[TreeProblem]) -> dict[str, Any]:
    here = path + ("compensation",)
    if not isinstance(value, dict):
        problems.append(TreeProblem(here, "must be a mapping"))
        return {}
    unknown = set(value) - COMPENSATION_KEYS
    if unknown:
        problems.append(TreeProblem(here, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}"))
    if "min_average" not in value:
        problems.append(TreeProblem(here, "'min_average' is required"))
    for key in ("min_average", "floor"):
        if key in value and (not _is_number(value[key]) or not 0 <= value[key] <= 20):
            problems.append(TreeProblem(here, f"'{key}' must be a grade between 0 and 20"))
    if (
        "within_years" in value
        and value["within_years"] is not None
        and (not isinstance(value["within_years"], int) or value["within_years"] < 1)
    ):
        problems.append(TreeProblem(here, "'within_years' must be a whole number >= 1"))
    return {k: value[k] for k in value if k in COMPENSATION_KEYS}


def unit_codes(node: dict[str, Any]) -> Iterator[str]:
    """Every unit code named by a tree in normal form, in order of appearance."""
    if "unit" in node:
        yield node["unit"]
        return
    for child in node.get("all", node.get("of", [])):
        yield from unit_codes(child)
