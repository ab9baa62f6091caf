"""A parse cache for the file-only commands (``lms audit`` from files, ``lms rank``): the checked
catalogue kept in the user's cache folder. Pure Python: no Flask, no database."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from pathlib import Path

from lms.progress.audit.definitions import Catalog, catalog_files

CACHE_VERSION = 2
SOURCES = ("definitions.py", "catalogue.py", "requirements.py", "yamlsource.py")  # the reader's code


def read_catalog(paths: Iterable[str | Path]) -> Catalog:
    """:func:`.catalogue.read_catalog`, imported only on a miss (its models cost more than a hit)."""
    from lms.progress.audit.catalogue import read_catalog

    return read_catalog(paths)


def read_catalog_cached(paths: Iterable[str | Path]) -> Catalog:
    """:func:`read_catalog`, with the checked catalogue kept in the user's cache folder: the
    command-line audit reads the same catalogue files call after call (the whole Paris catalogue
    takes 0.6 s to read and check, its cached copy a few milliseconds). The copy is used only when
    every file, and the code that reads them, is unchanged (path, size and modification time); a
    catalogue with problems is never cached, so its problems are told each time. No cache folder
    (``LMS_CACHE_DIR`` set empty, or one that cannot be written): read every time."""
    files = catalog_files(paths)
    root = os.environ.get("LMS_CACHE_DIR")
    if root is None:
        root = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "lms")
    if not root or not files:
        return read_catalog(paths)
    try:
        sources = [
            *files,
            *(Path(__file__).parent / name for name in SOURCES),
        ]
        stamps = [(str(path.resolve()), path.stat().st_size, path.stat().st_mtime_ns) for path in sources]
    except OSError:
        return read_catalog(paths)  # an unreadable file: let the reader tell it
    key = hashlib.sha256(repr((CACHE_VERSION, [str(p) for p in paths], stamps)).encode()).hexdigest()
    cached = Path(root) / f"catalogue-{key[:32]}.pickle"
    try:
        with cached.open("rb") as stream:
            catalog = pickle.load(stream)  # written by this very function, in the user's own folder
        if isinstance(catalog, Catalog):
            return catalog
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    catalog = read_catalog(paths)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as stream:
            pickle.dump(catalog, stream, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(cached)  # whole or not at all, even with two commands at once
    except OSError:
        pass
    return catalog
