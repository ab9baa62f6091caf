"""A parse cache for the file-only commands (``lms audit`` from files, ``lms rank``): the checked
catalogue kept in the user's cache folder. Pure Python: no Flask, no database."""

from __future__ import annotations

import os
import pickle
import zlib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from lms.progress.audit.definitions import Catalog

CACHE_VERSION = 4
SOURCES = ("definitions.py", "catalogue.py", "requirements.py", "documents.py", "yamlsource.py")  # the reader's code


def read_catalog(paths: Iterable[str | Path]) -> Catalog:
    """:func:`.catalogue.read_catalog`, imported only on a miss (its models cost more than a hit)."""
    from lms.progress.audit.catalogue import read_catalog

    return read_catalog(paths)


def read_catalog_cached(paths: Iterable[str | Path]) -> Catalog:
    """:func:`read_catalog`, with the checked catalogue kept in the user's cache folder
    (:class:`CatalogueCache`)."""
    return CatalogueCache(paths).read()


def _cache_root() -> str:
    root = os.environ.get("LMS_CACHE_DIR")
    if root is None:
        root = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "lms")
    return root


def _stamps(paths: list[str]) -> list[tuple[str, int, int]] | None:
    """(absolute path, size, modification time) of each catalogue file (the ``*.yaml``/``*.yml``
    of folders, as :func:`catalog_files` lists them) and of the reader's code; None when a file
    cannot be read (the reader tells it). One ``stat`` a file."""
    stamps = []
    for path in [*paths, *(os.path.join(os.path.dirname(__file__), name) for name in SOURCES)]:
        try:
            if os.path.isdir(path):
                with os.scandir(path) as listing:
                    found = sorted(
                        entry.path
                        for entry in listing
                        if os.path.splitext(entry.name)[1] in (".yaml", ".yml") and entry.is_file()
                    )
            else:
                found = [path]
            for name in found:
                info = os.stat(name)
                stamps.append((os.path.abspath(name), info.st_size, info.st_mtime_ns))
        except OSError:
            return None
    return stamps


class CatalogueCache:
    """The checked catalogue of some files, kept in the user's cache folder: the command-line
    audit reads the same catalogue files call after call (the whole Paris catalogue takes 0.6 s to
    read and check, its cached copy a few milliseconds). The copy is used only when every file, and
    the code that reads them, is unchanged (path, size and modification time); a catalogue with
    problems is never cached, so its problems are told each time. The copy holds no origins
    (``unit_origins``, ``program_origins``: the file-only commands tell no import problems). No cache folder
    (``LMS_CACHE_DIR`` set empty, or one that cannot be written): read every time.

    :meth:`sidecar` names another file valid exactly as long as the catalogue's copy (``lms rank``
    keeps its blank audits there)."""

    def __init__(self, paths: Iterable[str | Path]):
        self.paths = [str(path) for path in paths]
        root = _cache_root()
        stamps = _stamps(self.paths) if root and self.paths else None
        self.file: Path | None = None
        self.key = ""
        if stamps and len(stamps) > len(SOURCES):
            self.key = repr((CACHE_VERSION, self.paths, stamps))  # kept in the copy, checked on reading
            name = f"{zlib.crc32(self.key.encode()):08x}{zlib.adler32(self.key.encode()):08x}"
            self.file = Path(root) / f"catalogue-{name}.pickle"

    def read(self) -> Catalog:
        if self.file is None:
            return read_catalog(self.paths)
        kept = self.load(self.file)
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == self.key and isinstance(kept[1], Catalog):
            return kept[1]
        catalog = read_catalog(self.paths)
        for program in catalog.programs.values():  # computed once, kept in the copy
            program.tree_units, program.slots  # noqa: B018
        # Where each definition was read serves the import's messages only: not kept (a quarter
        # of the copy's reading time).
        self.store(self.file, (self.key, replace(catalog, unit_origins={}, program_origins={})))
        return catalog

    def sidecar(self, name: str) -> Path | None:
        """A file of the cache folder for ``name``, kept only while the catalogue is unchanged
        (:meth:`load_sidecar` checks the key, as :meth:`read` does)."""
        return None if self.file is None else self.file.with_suffix(f".{name}.pickle")

    def load_sidecar(self, path: Path | None) -> Any:
        kept = self.load(path)
        return kept[1] if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == self.key else None

    def store_sidecar(self, path: Path | None, value: Any) -> None:
        self.store(path, (self.key, value))

    @staticmethod
    def load(path: Path | None) -> Any:
        if path is None:
            return None
        try:
            with path.open("rb") as stream:
                return pickle.load(stream)  # written by this very class, in the user's own folder
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None

    @staticmethod
    def store(path: Path | None, value: Any) -> None:
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            with partial.open("wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(path)  # whole or not at all, even with two commands at once
        except OSError:
            pass
