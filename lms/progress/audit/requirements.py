"""The requirement tree of formats.md section 1: checking a node and putting it in normal form.

Pure Python (no Flask, no database) so the engine, the loader and the model share it. A node is
validated by one pydantic model per form, chosen by a discriminated union (:data:`RequirementNode`).
Normal form, as stored in ``programme_versions.requirements``: a leaf is ``{"unit": "CODE"}``, or a
free slot ``{"slot": "CODE", "ects": X}`` (with an optional ``label``) met only by a director's
exception naming it; a group is ``{"all": [...]}`` or ``{"choose": N, "of": [...]}``, ``{"credits": X, "of": [...]}``,
``{"choose": N, "credits": X, "of": [...]}``, with optional ``label`` and ``compensation``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from lms.progress.audit.definitions import UNIT_CODE, slot_leaves, unit_codes  # noqa: F401 (named from here too)
from lms.progress.audit.definitions import tree_slots as slots  # noqa: F401
from lms.progress.audit.yamlsource import N_, Msg, StrictModel, locate, msg, problem, refuse, worded

GROUP_KEYS = {"all", "choose", "credits", "of", "label", "compensation"}
SCALAR_KEYS = {"unit", "slot", "ects", "label", "choose", "credits", "min_average", "floor", "within_years"}
TREE_WORDS = {
    "missing": N_("{key!r} is required"),
    "model_type": N_("must be a mapping"),
    "recursion_depth_exceeded": N_("nested too deeply"),
}
UnitCode = Annotated[
    str, Field(pattern=UNIT_CODE.pattern), worded(N_("invalid unit code {input!r} (expected [A-Z0-9]{{3,12}})"))
]
Grade = Annotated[
    float, Field(ge=0, le=20, allow_inf_nan=False), worded(N_("{key!r} must be a grade between 0 and 20"))
]
Years = Annotated[int | None, Field(ge=1), worded(N_("'within_years' must be a whole number >= 1"))]
Choose = Annotated[int | None, Field(ge=1), worded(N_("'choose' must be a whole number >= 1, not {input!r}"))]
Credits = Annotated[
    float | None, Field(ge=0, allow_inf_nan=False), worded(N_("'credits' must be a number >= 0, not {input!r}"))
]
SlotEcts = Annotated[
    float,
    Field(ge=0, multiple_of=0.5, allow_inf_nan=False),
    worded(N_("'ects' of a slot must be a whole or half number >= 0, not {input!r}")),
    AfterValidator(lambda ects: int(ects) if ects == int(ects) else ects),  # 60 stays 60 in the stored tree
]


@dataclass(frozen=True)
class TreeProblem:
    """A problem at ``path`` (a tuple of keys and indexes from the root) of the tree."""

    path: tuple[str | int, ...]
    message: Msg  # str(): the English text
    line: int = 0  # of the deepest mapping on the path, when the tree was read from a file


class RequirementError(ValueError):
    def __init__(self, problems: list[TreeProblem]):
        self.problems = problems
        super().__init__("; ".join(f"{'/'.join(map(str, p.path)) or 'root'}: {p.message}" for p in problems))


class _Node(StrictModel):
    def normal(self) -> dict[str, Any]:
        """The normal form: the keys given (a ``label`` only when set), children in normal form."""
        return self.model_dump(exclude_unset=True, exclude_none=True)


class Compensation(StrictModel):
    min_average: Grade
    floor: Grade = 0
    within_years: Years = None


class UnitLeaf(_Node):
    unit: UnitCode

    @model_validator(mode="before")
    @classmethod
    def _from_code(cls, node: Any) -> Any:
        return {"unit": node} if isinstance(node, str) else node


class SlotLeaf(_Node):
    """A free slot ("une UE à choisir après accord de l'enseignant"): no unit of the catalogue meets
    it, only an exception whose ``for`` is its code; worth ``ects`` then, and missing until then."""

    slot: Annotated[
        str, Field(pattern=UNIT_CODE.pattern), worded(N_("invalid slot code {input!r} (expected [A-Z0-9]{{3,12}})"))
    ]
    ects: SlotEcts
    label: Annotated[str | None, worded(N_("label must be text"))] = None


def _non_empty(children: Any) -> Any:
    if not isinstance(children, list) or not children:
        raise refuse(N_("must be a non-empty list of requirements"))
    return children


Children = Annotated[list["RequirementNode"], BeforeValidator(_non_empty)]


class _Group(_Node):
    """Each group declares ``compensation`` after its children, so problems come in reading order."""

    label: Annotated[str | None, worded(N_("label must be text"))] = None

    @model_validator(mode="after")
    def _compensation_on_leaves(self) -> _Group:
        leaves = isinstance(self, AllGroup) and all(isinstance(child, UnitLeaf) for child in self.all)
        if self.compensation is not None and not leaves:
            raise refuse(N_("compensation is allowed only on an 'all' group of unit leaves"))
        return self


class AllGroup(_Group):
    all: Children
    compensation: Compensation | None = None

    @model_validator(mode="before")
    @classmethod
    def _alone(cls, node: Any) -> Any:
        if {"choose", "credits", "of"} & set(node):
            raise refuse(N_("'all' cannot be combined with 'choose', 'credits' or 'of'"))
        return node


class OfGroup(_Group):
    choose: Choose = None
    credits: Credits = None
    of: Children
    compensation: Compensation | None = None

    @model_validator(mode="after")
    def _conditions(self) -> OfGroup:
        if self.choose is None and self.credits is None:
            raise refuse(N_("'of' needs 'choose' and/or 'credits'"))
        if self.choose is not None and self.choose > len(self.of):
            raise refuse(N_("'choose: {choose}' asks more than the {n} listed"), choose=self.choose, n=len(self.of))
        return self


def _no_form(node: Any) -> Any:
    if isinstance(node, dict):  # its keys are told too: none of them is a known form
        unknown = sorted(str(key) for key in node if key not in GROUP_KEYS)
        raise refuse(N_("a node must be a unit, a slot, or a group with 'all' or 'of'"), unknown=unknown)
    raise refuse(N_("a requirement must be a unit code or a mapping, not {kind}"), kind=type(node).__name__)


def _form(node: Any) -> str:
    if isinstance(node, str) or isinstance(node, dict) and "unit" in node:
        return "<unit>"
    if isinstance(node, dict) and "slot" in node:
        return "<slot>"
    if isinstance(node, dict) and ("all" in node or "of" in node):
        return "<all>" if "all" in node else "<of>"
    return "<none>"


RequirementNode = Annotated[
    Annotated[UnitLeaf, Tag("<unit>")]
    | Annotated[SlotLeaf, Tag("<slot>")]
    | Annotated[AllGroup, Tag("<all>")]
    | Annotated[OfGroup, Tag("<of>")]
    | Annotated[Any, BeforeValidator(_no_form), Tag("<none>")],
    Discriminator(_form),
]
"""A requirement node of any form (the ``<...>`` tags in error locations name no data)."""

AllGroup.model_rebuild()
OfGroup.model_rebuild()
_NODE = TypeAdapter(RequirementNode)


def tree_problems(errors: Iterable[ErrorDetails], tree: Any) -> list[TreeProblem]:
    """The validation errors of ``tree`` as problems at paths of the tree: the problem of a scalar
    key (``choose``...) is its node's, and a node's unknown keys are one problem."""
    found: list[tuple[tuple[str | int, ...], Msg]] = []  # (path, message)
    unknown: dict[tuple[str | int, ...], list[str]] = {}  # node path: the template, then the keys
    for error in errors:
        path, _line = locate(tree, error["loc"])
        if error["type"] == "extra_forbidden":
            beside = error["loc"][-2] in ("<unit>", "<slot>")
            template = (
                (
                    N_("unknown key(s) beside 'unit': {keys}")
                    if error["loc"][-2] == "<unit>"
                    else N_("unknown key(s) beside 'slot': {keys}")
                )
                if beside
                else N_("unknown key(s): {keys}")
            )
            unknown.setdefault(path[:-1], [template]).append(str(path[-1]))
            continue
        if (error.get("ctx") or {}).get("unknown"):
            found.append((path, msg(N_("unknown key(s): {keys}"), keys=", ".join(error["ctx"]["unknown"]))))
        if path and path[-1] in SCALAR_KEYS:  # told as a problem of its node
            path = path[:-1]
        found.append((path, problem(error, tree, TREE_WORDS)[1]))
    for path, (template, *keys) in unknown.items():  # told first among the problems of their node
        first = next((i for i, (at, _message) in enumerate(found) if at[: len(path)] == path), len(found))
        found.insert(first, (path, msg(template, keys=", ".join(sorted(keys)))))
    return [TreeProblem(path, message, locate(tree, path)[1]) for path, message in found]


def normalise(node: Any) -> dict[str, Any]:
    """The normal form of ``node``; raises :class:`RequirementError` listing every problem."""
    try:
        normal = _NODE.validate_python(node).normal()
    except ValidationError as error:
        raise RequirementError(tree_problems(error.errors(), node)) from None
    twice = slot_repeats(normal)
    if twice:
        raise RequirementError([TreeProblem(path, message, locate(node, path)[1]) for path, message in twice])
    return normal


def slot_repeats(node: dict[str, Any]) -> list[tuple[tuple[str | int, ...], Msg]]:
    """A slot code is unique within its programme: the later uses of one, at their paths."""
    seen: set[str] = set()
    repeats = []
    for path, leaf in slot_leaves(node, ()):
        if leaf["slot"] in seen:
            repeats.append((path, msg(N_("slot {code} appears more than once in the programme"), code=leaf["slot"])))
        seen.add(leaf["slot"])
    return repeats
