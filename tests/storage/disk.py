"""Watching the disk: every file a block of code opens for writing (through Python), and the
instance folder's listing."""

from __future__ import annotations

import builtins
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@contextmanager
def files_written(monkeypatch) -> Iterator[list[str]]:
    """The paths opened for writing (``open``, ``Path.write_bytes``, ``os.open``, ``tempfile``)
    while the block runs. The database engines write through their own C code: not seen here."""
    written: list[str] = []
    real_open, real_io_open, real_os_open = builtins.open, io.open, os.open

    def watched_open(file, mode="r", *args, **kwargs):
        if isinstance(file, str | bytes | os.PathLike) and any(flag in mode for flag in "wax+"):
            written.append(os.fsdecode(file))
        return real_open(file, mode, *args, **kwargs)

    def watched_io_open(file, mode="r", *args, **kwargs):
        if isinstance(file, str | bytes | os.PathLike) and any(flag in mode for flag in "wax+"):
            written.append(os.fsdecode(file))
        return real_io_open(file, mode, *args, **kwargs)

    def watched_os_open(path, flags, *args, **kwargs):
        if flags & WRITE_FLAGS:
            written.append(os.fsdecode(path))
        return real_os_open(path, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(builtins, "open", watched_open)
        patch.setattr(io, "open", watched_io_open)
        patch.setattr(os, "open", watched_os_open)
        yield written


def listing(folder: str | Path) -> set[str]:
    """Every file under ``folder`` (relative names; empty when there is no such folder)."""
    root = Path(folder)
    if not root.is_dir():
        return set()
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}
