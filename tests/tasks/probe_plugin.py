"""A plugin of test tasks, loaded by the tests' apps and by the consumers they start
(``LMS_PLUGIN_MODULES=tests.tasks.probe_plugin``). Each task leaves a line in a file of
``PROBE_FOLDER`` (the setting), so a test sees what ran where, whichever process ran it."""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

from lms.core import jobs
from lms.core.tasks import periodic, task
from lms.plugins import hookimpl


def _note(name: str, text: str) -> None:
    folder = Path(current_app.config["PROBE_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("a", encoding="utf-8") as out:
        out.write(f"{text} {os.getpid()}\n")


@task()
def probe_note(name: str, text: str) -> None:
    _note(name, text)


@task(retries=2, retry_delay=0, job=True)
def probe_always_fails(job_id: int) -> None:
    _note("attempts", str(job_id))
    raise RuntimeError("the probe fails on purpose")


@task(job=True)
def probe_job(job_id: int, position: int | None) -> None:
    job = jobs.claim(job_id, position)
    if job is not None:
        _note("jobs", str(job_id))
        jobs.finish(job, b"probe output", "probe.txt", "text/plain")


@periodic(minute="*")
def probe_every_minute() -> None:
    _note("periodic", "tick")


@hookimpl
def lms_tasks() -> list:
    return [probe_note, probe_always_fails, probe_job, probe_every_minute]
