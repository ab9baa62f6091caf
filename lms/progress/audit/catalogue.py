"""Reading catalogue files (formats.md sections 1 and 5) strictly, with ``FILE:LINE`` messages.

Pydantic models (unknown keys forbidden) validate each entry, their problems told in the words of
formats.md (:mod:`.yamlsource`). A malformed catalogue is refused as a whole with every problem
(:class:`CatalogError`); nothing is half-loaded. Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, StringConstraints, ValidationError, create_model, model_validator
from pydantic_core import ErrorDetails

from lms.progress.audit.definitions import (
    DEFAULT_MARK,
    MODALITIES,
    PROGRAM_KINDS,
    UNIT_CODE,
    Catalog,
    EquivalenceDef,
    OfferingDef,
    ProgramDef,
    UnitDef,
    catalog_files,
)
from lms.progress.audit.requirements import RequirementNode, UnitCode, slot_repeats, tree_problems
from lms.progress.audit.yamlsource import (
    N_,
    FormatError,
    Msg,
    Problem,
    StrictModel,
    locate,
    msg,
    problem,
    read_document,
    refuse,
    worded,
)

TO_DECIMAL = AfterValidator(lambda number: Decimal(str(number)))  # 12.3 is exactly 12.3, 6 stays 6
PROGRAM_CODE = r"^[A-Z0-9]{2,20}$"
CENTRE_CODE = r"^[A-Z0-9]{2,10}$"
__all__ = [  # the definitions live in .definitions (no pydantic); read here, and named from here too
    "DEFAULT_MARK",
    "MODALITIES",
    "PROGRAM_KINDS",
    "Catalog",
    "CatalogError",
    "EquivalenceDef",
    "OfferingDef",
    "ProgramDef",
    "UnitDef",
    "catalog_files",
    "read_catalog",
]


class CatalogError(FormatError):
    """Every problem found in catalogue files: ``details`` (:class:`Problem`), ``problems`` (their
    English lines ``FILE:LINE: what is wrong``)."""


def _number(**constraints: Any) -> Any:
    words = worded(
        N_("{what}: {key!r} must be a number, not {input!r}"),
        greater_than_equal=N_("{what}: {key!r} must not be negative ({input})"),
        multiple_of=N_("{what}: {key!r} must be a whole or half number ({input})"),
        less_than_equal=N_("{what}: {key!r} must be at most 20"),
    )
    return Annotated[float, Field(ge=0, allow_inf_nan=False, **constraints), words, TO_DECIMAL]


def _level(high: int) -> Any:
    words = worded(N_("{what}: {key!r} must be a whole number from 1 to {high}, not {input!r}"), {"high": high})
    return Annotated[int | None, Field(ge=1, le=high), words]


PassMark = Annotated[_number(le=20) | None, AfterValidator(lambda mark: DEFAULT_MARK if mark is None else mark)]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), worded(N_("{what}: {key!r} must be non-empty text"))
]
ENTRY_WORDS = {"missing": N_("{what} lacks {key!r}"), "extra_forbidden": N_("unknown key {key!r} in {what}")}
FILE_WORDS = {
    "extra_forbidden": N_("unknown key {key!r} (expected one of equivalences, offerings, programs, units)"),
    "list_type": N_("{key!r} must be a list"),
    "dict_type": N_("each entry of {key!r} must be a mapping, not {input!r}"),
}


class _Entry(StrictModel):
    """An entry whose fields are those of its definition (a plain dataclass the audit reads)."""

    definition_type: ClassVar[type]

    def definition(self) -> Any:
        return self.definition_type(**self.__dict__)


class UnitEntry(_Entry):
    definition_type = UnitDef
    code: UnitCode
    title: Text
    ects: _number(multiple_of=0.5)
    kind: Annotated[Literal["UE", "UA"], worded(N_("{what}: 'kind' must be UE or UA, not {input!r}"))]
    level: Annotated[
        Literal["L1", "L2", "L3", "M1", "M2"] | None,
        worded(N_("{what}: 'level' must be one of L1, L2, L3, M1, M2, not {input!r}")),
    ] = None

    @model_validator(mode="after")
    def _ua_codes(self) -> UnitEntry:
        if self.kind == "UA" and not self.code.startswith("UA"):
            raise refuse(N_("{what}: UA codes start with 'UA'"))
        return self


class EquivalenceEntry(_Entry):
    definition_type = EquivalenceDef
    units: Annotated[
        list[str],
        Field(min_length=1),
        worded(N_("equivalence: 'units' must be a non-empty list of unit codes")),
        AfterValidator(lambda units: tuple(sorted(set(units)))),
    ]
    counts_as: Annotated[str, worded(N_("equivalence: 'counts_as' must be a unit code"))]

    @model_validator(mode="after")
    def _not_itself(self) -> EquivalenceEntry:
        if self.counts_as in self.units:
            raise refuse(N_("equivalence: {counts_as} cannot count as itself"), counts_as=self.counts_as)
        return self


class ProgramEntry(_Entry):
    definition_type = ProgramDef
    code: Annotated[str, Field(pattern=PROGRAM_CODE), worded(N_("invalid program code {input!r}"))]
    version: Annotated[str, Field(pattern=r"\S"), worded(N_("{what}: 'version' must be text (quote it: \"2024\")"))]
    title: Text
    kind: Annotated[Literal[PROGRAM_KINDS], worded(N_("{what}: unknown kind {input!r}"))]
    level: _level(8) = None
    entry_level: _level(8) = None
    validity_years: _level(100) = None
    ects: _number(multiple_of=0.5)
    pass_mark: PassMark = DEFAULT_MARK
    requirements: Annotated[RequirementNode, AfterValidator(lambda node: node.normal())]


class OfferingEntry(_Entry):
    definition_type = OfferingDef
    unit: Annotated[str, worded(N_("{what}: 'unit' must be a unit code, not {input!r}"))]
    year: Annotated[
        int, Field(ge=1990, le=2100), worded(N_("{what}: 'year' must be an academic year such as 2025, not {input!r}"))
    ]
    semester: Annotated[Literal["S1", "S2", "A"], worded(N_("{what}: 'semester' must be S1, S2 or A, not {input!r}"))]
    modality: Annotated[Literal[MODALITIES], worded(N_("{what}: unknown modality {input!r}"))]
    centre: Annotated[str, Field(pattern=CENTRE_CODE), worded(N_("{what}: invalid centre code {input!r}"))]
    capacity: Annotated[int | None, Field(ge=1), worded(N_("{what}: 'capacity' must be a whole number >= 1"))] = None


def _coded(word: str, coded: str) -> Any:
    return lambda item: msg(coded, code=item["code"]) if isinstance(item.get("code"), str) else msg(word)


SECTIONS = {  # section: (entry model, how people name an entry)
    "units": (UnitEntry, _coded(N_("unit"), N_("unit {code}"))),
    "equivalences": (EquivalenceEntry, lambda item: msg(N_("equivalence"))),
    "programs": (ProgramEntry, _coded(N_("program"), N_("program {code}"))),
    "offerings": (OfferingEntry, lambda item: msg(N_("offering of {unit}"), unit=item.get("unit"))),
}
# A file's shape; its entries are read one by one, so that one bad entry spoils no other.
CatalogueFile = create_model(
    "CatalogueFile", __base__=StrictModel, **{key: (list[dict] | None, None) for key in SECTIONS}
)


def read_catalog(
    paths: Iterable[str | Path], known_units: Iterable[str] = (), known_slots: Iterable[str] = ()
) -> Catalog:
    """Read and check catalogue files; raise :class:`CatalogError` listing every problem.

    ``known_units``: codes defined elsewhere (the database, when importing) that trees,
    equivalences and offerings may name without the files defining them. ``known_slots``: the free
    slots of programmes defined elsewhere, which no unit of the files may be named like.
    """
    reader = _Reader()
    for path in catalog_files(paths):
        reader.read_file(path)
    reader.check_references(frozenset(known_units), frozenset(known_slots))
    if reader.problems:
        raise CatalogError(reader.problems)
    return reader.catalog


class _Reader:
    def __init__(self) -> None:
        self.catalog = Catalog()
        self.problems: list[Problem] = []
        self.tree_refs: list[tuple[str, str]] = []  # (file, line, unit code)
        self.slot_refs: list[tuple[str, int, str]] = []  # (file, line, slot code)
        self.offering_origin: dict[tuple[str, str, str, str], str] = {}

    def problem(self, file: Path | str, line: int | str, message: Msg) -> None:
        self.problems.append(Problem(str(file), int(line), message))

    def read_file(self, path: Path) -> None:
        try:
            data = read_document(path)
        except FormatError as error:
            self.problems += error.details
            return
        if data is None:
            return
        if not isinstance(data, dict):
            self.problem(
                path, 1, msg(N_("a catalogue file must be a mapping with units, equivalences, programs or offerings"))
            )
            return
        try:
            CatalogueFile.model_validate(data)
        except ValidationError as error:
            for shape in error.errors():
                self.problem(path, *problem(shape, data, FILE_WORDS))
        for section, (model, name) in SECTIONS.items():
            for item in data.get(section) if isinstance(data.get(section), list) else ():
                if isinstance(item, dict):
                    self.read_entry(path, section, model, name(item), item)

    def read_entry(self, path: Path, section: str, model: type[_Entry], what: Msg, item: dict) -> None:
        try:
            entry, errors = model.model_validate(item), []
        except ValidationError as error:
            entry, errors = None, error.errors()
        in_tree = [len(error["loc"]) > 1 and error["loc"][0] == "requirements" for error in errors]
        own = [error for error, inside in zip(errors, in_tree, strict=True) if not inside]
        tree = [{**error, "loc": error["loc"][1:]} for error, inside in zip(errors, in_tree, strict=True) if inside]
        missing = any(error["type"] == "missing" for error in own)
        if model is ProgramEntry and not missing:  # a tree names units even when the programme is wrong
            self.tree_refs += [(str(path), line, code) for line, code in _leaves(item["requirements"], item.line)]
        if errors:
            self.report(path, item, what, own, [] if missing else tree, missing)
        if errors and not tree and all(error["type"] == "extra_forbidden" for error in own):
            entry = model.model_validate({key: value for key, value in item.items() if key in model.model_fields})
        if entry is None:  # an unknown key spoils the catalogue, not the entry (its code stays known)
            return
        origin, definition = f"{path}:{item.line}", entry.definition()
        if section == "units":
            self.add(self.catalog.units, self.catalog.unit_origins, entry.code, definition, origin, what)
        elif section == "programs":
            self.check_slots(path, item, what, definition)
            key, what = (
                (entry.code, entry.version),
                msg(N_("{what} version {version}"), what=what, version=entry.version),
            )
            self.add(self.catalog.programs, self.catalog.program_origins, key, definition, origin, what)
        elif section == "equivalences":
            self.tree_refs += [(str(path), item.line, code) for code in (*entry.units, entry.counts_as)]
            self.catalog.equivalences.append(definition)
        else:
            self.add_offering(definition, origin, what)

    def report(
        self, path: Path, item: dict, what: Msg, own: list[ErrorDetails], tree: list[ErrorDetails], missing: bool
    ) -> None:
        """An entry's problems in the order of the checks: unknown keys, then missing ones (a missing
        key stops the reading of the entry), then the others, then those of its requirement tree."""
        rank = {"extra_forbidden": 0, "missing": 1}
        for error in sorted(own, key=lambda e: (rank.get(e["type"], 2), e["loc"] if e["type"] == "missing" else ())):
            if error["type"] in rank or not missing:
                self.problem(path, item.line, problem(error, item, ENTRY_WORDS, what)[1])
        for tree_problem in tree_problems(tree, item["requirements"]) if tree else ():
            told = msg(N_("{what}: {problem}"), what=what, problem=tree_problem.message)
            self.problem(path, tree_problem.line or item.line, told)

    def add(self, known: dict, origins: dict, key: Any, definition: Any, origin: str, what: Msg) -> None:
        if key in known and known[key] != definition:
            told = msg(N_("{what} is defined differently in {origin}"), what=what, origin=origins[key])
            self.problem(*origin.rsplit(":", 1), told)
            return
        known[key] = definition
        origins.setdefault(key, origin)

    def add_offering(self, offering: OfferingDef, origin: str, what: Msg) -> None:
        self.tree_refs.append((*origin.rsplit(":", 1), offering.unit))
        key = (offering.unit, offering.year, offering.semester, offering.modality, offering.centre)
        if key in self.offering_origin:
            told = msg(N_("{what}: already listed at {origin}"), what=what, origin=self.offering_origin[key])
            self.problem(*origin.rsplit(":", 1), told)
            return
        self.offering_origin[key] = origin
        self.catalog.offerings.append(offering)

    def check_slots(self, path: Path, item: dict, what: Msg, program: ProgramDef) -> None:
        """A slot's code is unique in its programme (told here) and is no unit (told by
        :meth:`check_references`, once every file is read)."""
        for slot_path, told in slot_repeats(program.requirements):
            line = locate(item["requirements"], slot_path)[1] or item.line
            self.problem(path, line, msg(N_("{what}: {problem}"), what=what, problem=told))
        self.slot_refs += [(str(path), line, code) for line, code in _slot_leaves(item["requirements"], item.line)]

    def check_references(
        self, known_units: frozenset[str] = frozenset(), known_slots: frozenset[str] = frozenset()
    ) -> None:
        for file, line, code in self.tree_refs:
            if code not in self.catalog.units and code not in known_units:
                self.problem(file, line, msg(N_("unit {code} is not in the catalogue"), code=code))
        for file, line, code in self.slot_refs:
            if code in self.catalog.units or code in known_units:
                told = msg(N_("slot {code} is also a unit of the catalogue: a slot names no unit"), code=code)
                self.problem(file, line, told)
        for code in sorted(known_slots & set(self.catalog.units)):
            told = msg(N_("unit {code} is named like a free slot of a programme: a slot names no unit"), code=code)
            self.problem(*self.catalog.unit_origins[code].rsplit(":", 1), told)


def _slot_leaves(node: Any, line: int) -> Iterator[tuple[int, str]]:
    """``(line, code)`` of each slot of a checked raw tree."""
    here = getattr(node, "line", line)
    if isinstance(node, dict):
        if "slot" in node:
            yield here, node["slot"]
        for child in node.get("all", node.get("of", [])):
            yield from _slot_leaves(child, here)


def _leaves(node: Any, line: int) -> Iterator[tuple[int, str]]:
    """``(line, code)`` of each unit leaf of a raw tree; a leaf has the line of its mapping."""
    here = getattr(node, "line", line)
    if isinstance(node, str) and UNIT_CODE.match(node):
        yield here, node
    elif isinstance(node, dict):
        if isinstance(node.get("unit"), str) and UNIT_CODE.match(node["unit"]):
            yield here, node["unit"]
        children = node.get("all", node.get("of", []))
        for child in children if isinstance(children, list) else []:
            yield from _leaves(child, here)
