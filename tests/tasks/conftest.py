"""Real consumers (``lms worker`` processes) on a SQLite queue file or on a Redis server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lms.app import PROJECT_ROOT
from tests.conftest import make_app
from tests.fixtures.processes import stop_gracefully

PROBE = "tests.tasks.probe_plugin"


class Queue:
    """The settings one queue's producers and consumers share, and the consumers started on it."""

    def __init__(self, kind: str, database_url: str, folder: Path, redis_url: str | None) -> None:
        self.kind = kind
        self.folder = folder
        self.probe = folder / "probe"
        self.settings = {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TASKS_IMMEDIATE": False,
            "TASK_QUEUE_NAME": f"lms-test-{uuid.uuid4().hex[:8]}",
            "TASK_QUEUE_FILE": str(folder / "tasks.sqlite3"),
            "REDIS_URL": redis_url,
            "PLUGIN_MODULES": PROBE,
            "PROBE_FOLDER": str(self.probe),
        }
        self.consumers: list[subprocess.Popen] = []

    def app(self, **overrides):
        return make_app(self.settings["SQLALCHEMY_DATABASE_URI"], **{**self.settings, **overrides})

    def start_consumer(self) -> subprocess.Popen:
        env = {**os.environ, "LMS_CONFIG": "testing", "PYTHONPATH": str(PROJECT_ROOT)}
        for key, value in self.settings.items():
            if value is not None:
                env[f"LMS_{key}"] = "false" if value is False else str(value)
        log = (self.folder / f"consumer-{len(self.consumers)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-c", "from lms.cli import main; main()", "worker", "--workers", "2"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.consumers.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        stop_gracefully(process)

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.folder.glob("consumer-*.log")))

    def lines(self, name: str) -> list[str]:
        path = self.probe / name
        return path.read_text().splitlines() if path.exists() else []


def wait_for(condition: Callable[[], object], queue: Queue, timeout: float = 30) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"still waiting after {timeout} s; the consumers said:\n{queue.logs()}")


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, database_url, tmp_path) -> Iterator[Queue]:
    """A queue of each engine: the SQLite file under the test's folder, or a Redis server."""
    redis = request.getfixturevalue("redis_url") if request.param == "redis" else None
    queue = Queue(request.param, database_url, tmp_path, redis)
    yield queue
    for process in queue.consumers:
        queue.stop(process)
