"""Writing in a thread while the next rows are generated. The database's own work (the PostgreSQL
server process, SQLite's C code) runs without Python's global lock, so on two cores generation
and insertion overlap instead of taking turns. Chunks are written in the order given; the first
error stops the writing and is raised to the generating side."""

from __future__ import annotations

import queue
import threading

from lms.demo.bulk.tables import Rows
from lms.demo.bulk.writer import Writer

_DONE = None


class BackgroundWriter:
    def __init__(self, writer: Writer, depth: int = 2):
        self.writer = writer
        self.queue: queue.Queue[Rows | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="lms-bulk-writer", daemon=True)
        self.thread.start()

    def write(self, rows: Rows) -> None:
        self._raise()
        self.queue.put(rows)

    def close(self) -> None:
        """Wait for every chunk to be written; raise the writer's error, if any."""
        self.queue.put(_DONE)
        self.thread.join()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (rows := self.queue.get()) is not _DONE:
            if self.error is None:
                try:
                    self.writer.write(rows)
                except BaseException as error:  # handed to the generating thread
                    self.error = error
