"""Reading catalogue files (formats.md sections 1 and 5) strictly, with ``FILE:LINE`` messages.

This loader refuses a malformed catalogue as a whole: it collects every problem it finds and
raises :class:`CatalogError`; nothing is half-loaded. Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from lms.progress.audit.requirements import UNIT_CODE, RequirementError, TreeProblem, normalise, unit_codes

TOP_KEYS = {"units", "equivalences", "programs", "offerings"}
UNIT_KEYS = {"code", "title", "ects", "kind", "level"}
EQUIVALENCE_KEYS = {"units", "counts_as"}
PROGRAM_KEYS = {
    "code",
    "version",
    "title",
    "kind",
    "level",
    "entry_level",
    "ects",
    "pass_mark",
    "validity_years",
    "requirements",
}
OFFERING_KEYS = {"unit", "year", "semester", "modality", "centre", "capacity"}
UNIT_KINDS = {"UE", "UA"}
LEVELS = {"L1", "L2", "L3", "M1", "M2"}
PROGRAM_KINDS = {
    "licence",
    "licence_pro",
    "master",
    "ingenieur",
    "titre_rncp",
    "deust",
    "certificat_competence",
    "certificat_specialisation",
    "certificat_professionnel",
    "micro_certification",
    "diplome_etablissement",
}
SEMESTERS = {"S1", "S2", "A"}
MODALITIES = {
    "presentiel_jour",
    "presentiel_soir",
    "hybride_jour",
    "hybride_soir",
    "foad",
    "distance_planifiee_jour",
    "distance_planifiee_soir",
}
PROGRAM_CODE = re.compile(r"^[A-Z0-9]{2,20}$")
CENTRE_CODE = re.compile(r"^[A-Z0-9]{2,10}$")


class CatalogError(Exception):
    """Every problem found, each as ``FILE:LINE: what is wrong``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class UnitDef:
    code: str
    title: str
    ects: Decimal
    kind: str
    level: str | None


@dataclass(frozen=True)
class EquivalenceDef:
    units: tuple[str, ...]
    counts_as: str


@dataclass(frozen=True)
class ProgramDef:
    code: str
    version: str
    title: str
    kind: str
    level: int | None
    entry_level: int | None
    ects: Decimal
    pass_mark: Decimal
    validity_years: int | None
    requirements: dict[str, Any]


@dataclass(frozen=True)
class OfferingDef:
    unit: str
    year: int
    semester: str
    modality: str
    centre: str
    capacity: int | None


@dataclass
class Catalog:
    units: dict[str, UnitDef] = field(default_factory=dict)
    equivalences: list[EquivalenceDef] = field(default_factory=list)
    programs: dict[tuple[str, str], ProgramDef] = field(default_factory=dict)
    offerings: list[OfferingDef] = field(default_factory=list)
    # Where each unit and (programme, version) was read, as "FILE:LINE" (not part of equality).
    unit_origins: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    program_origins: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)


# --- YAML with line numbers ----------------------------------------------------------------------


class LineDict(dict):
    """A mapping that remembers the line it starts on (1-based)."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader that keeps line numbers and refuses what a catalogue never needs: aliases
    (``*name``, which could make one node stand for an exponentially large tree) and keys that
    are not scalars; a date that does not exist stays text, so the checks report it."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in these files", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return node.value  # not a real date (2026-02-30): left as text for the checks to report


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain word or number", key_node.start_mark
            )
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)


def catalog_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the ``*.yaml``/``*.yml`` files of folders named, in a stable order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
        else:
            files.append(path)
    return files


def read_catalog(paths: Iterable[str | Path], known_units: Iterable[str] = ()) -> Catalog:
    """Read and check catalogue files; raise :class:`CatalogError` listing every problem.

    ``known_units``: codes defined elsewhere (the database, when importing) that trees,
    equivalences and offerings may name without the files defining them.
    """
    reader = _Reader()
    for path in catalog_files(paths):
        reader.read_file(path)
    reader.check_references(frozenset(known_units))
    if reader.problems:
        raise CatalogError(reader.problems)
    reader.catalog.unit_origins = reader.unit_origin
    reader.catalog.program_origins = reader.program_origin
    return reader.catalog


class _Reader:
    def __init__(self) -> None:
        self.catalog = Catalog()
        self.problems: list[str] = []
        self.unit_origin: dict[str, str] = {}
        self.program_origin: dict[tuple[str, str], str] = {}
        self.tree_refs: list[tuple[str, int, str]] = []  # (file, line, unit code)
        self.offering_origin: dict[tuple[str, int, str, str, str], str] = {}

    def problem(self, file: Path | str, line: int, message: str) -> None:
        self.problems.append(f"{file}:{line}: {message}")

    def read_file(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.problem(path, 0, f"cannot read the file: {getattr(error, 'strerror', None) or error}")
            return
        try:
            data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
            line = mark.line + 1 if mark else 0
            reason = getattr(error, "problem", None) or str(error)
            self.problem(path, line, f"YAML syntax error: {reason}")
            return
        if data is None:
            return
        if not isinstance(data, dict):
            self.problem(path, 1, "a catalogue file must be a mapping with units, equivalences, programs or offerings")
            return
        for key in data:
            if key not in TOP_KEYS:
                self.problem(path, data.line, f"unknown key {key!r} (expected one of {', '.join(sorted(TOP_KEYS))})")
        sections = {
            "units": self.read_unit,
            "equivalences": self.read_equivalence,
            "programs": self.read_program,
            "offerings": self.read_offering,
        }
        for key, read in sections.items():
            items = data.get(key)
            if items is None:
                continue
            if not isinstance(items, list):
                self.problem(path, data.line, f"{key!r} must be a list")
                continue
            for item in items:
                if not isinstance(item, LineDict):
                    self.problem(path, data.line, f"each entry of {key!r} must be a mapping, not {item!r}")
                    continue
                read(path, item)

    def _keys(self, path: Path, item: LineDict, allowed: set[str], required: set[str], what: str) -> bool:
        """Report unknown and missing keys; False when a required key is missing (the entry
        cannot be read further). Any reported problem discards the whole catalogue anyway."""
        for key in item:
            if key not in allowed:
                self.problem(path, item.line, f"unknown key {key!r} in {what}")
        missing = sorted(required - set(item))
        for key in missing:
            self.problem(path, item.line, f"{what} lacks {key!r}")
        return not missing

    def _text(self, path: Path, item: LineDict, key: str, what: str) -> bool:
        value = item[key]
        if isinstance(value, str) and value.strip():
            return True
        self.problem(path, item.line, f"{what}: {key!r} must be non-empty text")
        return False

    def _number(self, path: Path, item: LineDict, key: str, what: str, halves: bool = False) -> Decimal | None:
        value = item.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path, item.line, f"{what}: {key!r} must be a number, not {value!r}")
            return None
        number = Decimal(str(value))
        if number < 0:
            self.problem(path, item.line, f"{what}: {key!r} must not be negative ({value})")
            return None
        if halves and (number * 2) % 1 != 0:
            self.problem(path, item.line, f"{what}: {key!r} must be a whole or half number ({value})")
            return None
        return number

    def _optional_int(self, path: Path, item: LineDict, key: str, what: str, low: int, high: int) -> int | None:
        value = item.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(path, item.line, f"{what}: {key!r} must be a whole number from {low} to {high}, not {value!r}")
            return None
        return value

    def read_unit(self, path: Path, item: LineDict) -> None:
        code = item.get("code")
        what = f"unit {code}" if isinstance(code, str) else "unit"
        if not self._keys(path, item, UNIT_KEYS, {"code", "title", "ects", "kind"}, what):
            return
        ok = True
        if not isinstance(code, str) or not UNIT_CODE.match(code):
            self.problem(path, item.line, f"invalid unit code {code!r} (expected [A-Z0-9]{{3,12}})")
            ok = False
        title = item["title"]
        ok = self._text(path, item, "title", what) and ok
        ects = self._number(path, item, "ects", what, halves=True)
        kind = item["kind"]
        if kind not in UNIT_KINDS:
            self.problem(path, item.line, f"{what}: 'kind' must be UE or UA, not {kind!r}")
            ok = False
        elif kind == "UA" and isinstance(code, str) and not code.startswith("UA"):
            self.problem(path, item.line, f"{what}: UA codes start with 'UA'")
            ok = False
        level = item.get("level")
        if level is not None and level not in LEVELS:
            self.problem(path, item.line, f"{what}: 'level' must be one of {', '.join(sorted(LEVELS))}, not {level!r}")
            ok = False
        if not ok or ects is None:
            return
        unit = UnitDef(code, title.strip(), ects, kind, level)
        known = self.catalog.units.get(code)
        if known is not None and known != unit:
            self.problem(path, item.line, f"unit {code} is defined differently in {self.unit_origin[code]}")
            return
        self.catalog.units[code] = unit
        self.unit_origin.setdefault(code, f"{path}:{item.line}")

    def read_equivalence(self, path: Path, item: LineDict) -> None:
        if not self._keys(path, item, EQUIVALENCE_KEYS, EQUIVALENCE_KEYS, "equivalence"):
            return
        units, counts_as = item["units"], item["counts_as"]
        if not isinstance(units, list) or not units or not all(isinstance(u, str) for u in units):
            self.problem(path, item.line, "equivalence: 'units' must be a non-empty list of unit codes")
            return
        if not isinstance(counts_as, str):
            self.problem(path, item.line, "equivalence: 'counts_as' must be a unit code")
            return
        if counts_as in units:
            self.problem(path, item.line, f"equivalence: {counts_as} cannot count as itself")
            return
        for code in (*units, counts_as):
            self.tree_refs.append((str(path), item.line, code))
        self.catalog.equivalences.append(EquivalenceDef(tuple(sorted(set(units))), counts_as))

    def read_program(self, path: Path, item: LineDict) -> None:
        code = item.get("code")
        what = f"program {code}" if isinstance(code, str) else "program"
        required = {"code", "version", "title", "kind", "ects", "requirements"}
        if not self._keys(path, item, PROGRAM_KEYS, required, what):
            return
        ok = True
        self._collect_tree_refs(path, item["requirements"], item.line)
        if not isinstance(code, str) or not PROGRAM_CODE.match(code):
            self.problem(path, item.line, f"invalid program code {code!r}")
            ok = False
        version = item["version"]
        if not isinstance(version, str) or not version.strip():
            self.problem(path, item.line, f"{what}: 'version' must be text (quote it: \"2024\")")
            ok = False
        title = item["title"]
        ok = self._text(path, item, "title", what) and ok
        if item["kind"] not in PROGRAM_KINDS:
            self.problem(path, item.line, f"{what}: unknown kind {item['kind']!r}")
            ok = False
        level = self._optional_int(path, item, "level", what, 1, 8)
        entry_level = self._optional_int(path, item, "entry_level", what, 1, 8)
        validity = self._optional_int(path, item, "validity_years", what, 1, 100)
        ects = self._number(path, item, "ects", what, halves=True)
        pass_mark = Decimal(10)
        if item.get("pass_mark") is not None:
            pass_mark = self._number(path, item, "pass_mark", what)
            if pass_mark is not None and pass_mark > 20:
                self.problem(path, item.line, f"{what}: 'pass_mark' must be at most 20")
                pass_mark = None
        try:
            tree = normalise(item["requirements"])
        except RequirementError as error:
            for tree_problem in error.problems:
                self.problem(
                    path, _line_of(item["requirements"], tree_problem, item.line), f"{what}: {tree_problem.message}"
                )
            return
        if not ok or ects is None or pass_mark is None:
            return
        if (
            item.get("level") is not None
            and level is None
            or item.get("entry_level") is not None
            and entry_level is None
        ):
            return
        if item.get("validity_years") is not None and validity is None:
            return
        program = ProgramDef(
            code, version, title.strip(), item["kind"], level, entry_level, ects, pass_mark, validity, tree
        )
        key = (code, version)
        known = self.catalog.programs.get(key)
        if known is not None and known != program:
            self.problem(
                path, item.line, f"{what} version {version} is defined differently in {self.program_origin[key]}"
            )
            return
        self.catalog.programs[key] = program
        self.program_origin.setdefault(key, f"{path}:{item.line}")

    def _collect_tree_refs(self, path: Path, node: Any, line: int) -> None:
        here = node.line if isinstance(node, LineDict) else line
        if isinstance(node, str) and UNIT_CODE.match(node):
            self.tree_refs.append((str(path), here, node))
        elif isinstance(node, dict):
            if isinstance(node.get("unit"), str) and UNIT_CODE.match(node["unit"]):
                self.tree_refs.append((str(path), here, node["unit"]))
            children = node.get("all", node.get("of", []))
            for child in children if isinstance(children, list) else []:
                self._collect_tree_refs(path, child, here)

    def read_offering(self, path: Path, item: LineDict) -> None:
        what = f"offering of {item.get('unit')}"
        required = {"unit", "year", "semester", "modality", "centre"}
        if not self._keys(path, item, OFFERING_KEYS, required, what):
            return
        ok = True
        year = item["year"]
        if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
            self.problem(path, item.line, f"{what}: 'year' must be an academic year such as 2025, not {year!r}")
            ok = False
        if item["semester"] not in SEMESTERS:
            self.problem(path, item.line, f"{what}: 'semester' must be S1, S2 or A, not {item['semester']!r}")
            ok = False
        if item["modality"] not in MODALITIES:
            self.problem(path, item.line, f"{what}: unknown modality {item['modality']!r}")
            ok = False
        centre = item["centre"]
        if not isinstance(centre, str) or not CENTRE_CODE.match(centre):
            self.problem(path, item.line, f"{what}: invalid centre code {centre!r}")
            ok = False
        capacity = item.get("capacity")
        if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1):
            self.problem(path, item.line, f"{what}: 'capacity' must be a whole number >= 1")
            ok = False
        if not ok:
            return
        self.tree_refs.append((str(path), item.line, item["unit"]))
        offering = OfferingDef(item["unit"], year, item["semester"], item["modality"], centre, capacity)
        key = (offering.unit, offering.year, offering.semester, offering.modality, offering.centre)
        if key in self.offering_origin:
            self.problem(path, item.line, f"{what}: already listed at {self.offering_origin[key]}")
            return
        self.offering_origin[key] = f"{path}:{item.line}"
        self.catalog.offerings.append(offering)

    def check_references(self, known_units: frozenset[str] = frozenset()) -> None:
        for file, line, code in self.tree_refs:
            if code not in self.catalog.units and code not in known_units:
                self.problem(file, line, f"unit {code} is not in the catalogue")


def _line_of(node: Any, problem: TreeProblem, default: int) -> int:
    """The line of the deepest mapping on ``problem.path`` (leaves in flow lists have none)."""
    line = node.line if isinstance(node, LineDict) else default
    for step in problem.path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, LineDict):
            line = node.line
    return line


def program_units(program: ProgramDef) -> set[str]:
    return set(unit_codes(program.requirements))
