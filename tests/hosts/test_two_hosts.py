"""Several hosts: two gunicorn instances and two consumers (``lms worker``) on one PostgreSQL and
one Redis, on loopback ports. Nothing lives on one host: an upload previewed on one is confirmed on
the other, failed logins count across both, and a re-audit started from one is done by the other's
consumer."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from lms.app import PROJECT_ROOT
from lms.core.models import BackgroundJob, JobStatus
from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from tests.fixtures.postgres import free_port
from tests.fixtures.processes import stop_gracefully
from tests.helpers import csrf_token

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

EQUIVALENCE = b"equivalences:\n  - {units: [ANG100, BCA001], counts_as: NFA031}\n"


class Cluster:
    def __init__(self, database_url: str, redis_url: str, folder: Path) -> None:
        self.folder = folder
        self.env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "LMS_CONFIG": "testing",
            "LMS_SQLALCHEMY_DATABASE_URI": database_url,
            "LMS_REDIS_URL": redis_url,
            "LMS_TASKS_IMMEDIATE": "false",
            "LMS_TASK_QUEUE_NAME": f"lms-hosts-{uuid.uuid4().hex[:8]}",
            "LMS_LOGIN_RATE_LIMIT": '"5 per minute"',
        }
        self.processes: list[subprocess.Popen] = []

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def web(self, name: str) -> str:
        port = free_port()
        gunicorn = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
        self._start(name, gunicorn)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                    return url
            except requests.RequestException:  # not listening yet, or its worker still loading
                time.sleep(0.2)
        raise AssertionError(f"{name} did not start:\n{self.logs()}")

    def worker(self, name: str) -> subprocess.Popen:
        return self._start(name, [sys.executable, "-c", "from lms.cli import main; main()", "worker"])

    def stop(self, process: subprocess.Popen) -> None:
        stop_gracefully(process)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')}" for p in sorted(self.folder.glob("*.log")))


@pytest.fixture
def cluster(demo_app, redis_url, tmp_path):
    cluster = Cluster(demo_app.config["SQLALCHEMY_DATABASE_URI"], redis_url, tmp_path)
    yield cluster
    for process in cluster.processes:
        cluster.stop(process)


def login(session: requests.Session, host: str, email: str, password: str) -> requests.Response:
    token = csrf_token(session.get(f"{host}/login").text)
    return session.post(
        f"{host}/login",
        data={"csrf_token": token, "email": email, "password": password},
        headers={"Referer": f"{host}/login"},
        allow_redirects=False,
    )


def test_two_hosts_share_uploads_throttling_and_the_queue(cluster, demo_app):
    first, second = cluster.web("web-1"), cluster.web("web-2")
    worker_1, worker_2 = cluster.worker("worker-1"), cluster.worker("worker-2")

    # A catalogue previewed on the first host is confirmed on the second (sessions in the
    # database, the upload in the shared storage).
    admin = requests.Session()
    assert login(admin, first, "admin@example.org", DEMO_PASSWORD).status_code == 302
    form = admin.get(f"{first}/catalog/import")
    preview = admin.post(
        f"{first}/catalog/import",
        data={"csrf_token": csrf_token(form.text)},
        files={"file": ("equivalence.yaml", EQUIVALENCE, "application/x-yaml")},
        headers={"Referer": f"{first}/catalog/import"},
    )
    assert preview.status_code == 200, preview.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview.text).group(1)

    # The first host's consumer stops: only the second's can do the re-audit.
    cluster.stop(worker_1)
    confirm_page = admin.get(f"{second}/catalog/import")
    confirmed = admin.post(
        f"{second}/catalog/import/confirm",
        data={"csrf_token": csrf_token(confirm_page.text), "token": token},
        headers={"Referer": f"{second}/catalog/import"},
        allow_redirects=False,
    )
    assert confirmed.status_code == 302, confirmed.text
    job_path = confirmed.headers["Location"].split("?")[0]
    deadline = time.monotonic() + 90
    status = {}
    while time.monotonic() < deadline:
        status = admin.get(f"{first}{job_path}/status").json()  # followed from the other host
        if status["finished"]:
            break
        time.sleep(0.3)
    assert status.get("status") == "done", (status, cluster.logs())
    with demo_app.app_context():
        job = db.session.get(BackgroundJob, status["id"])
        assert job.status is JobStatus.DONE and job.done == job.total > 0
    log_2 = (cluster.folder / "worker-2.log").read_text()
    assert "reaudit_batch" in log_2  # the second host's consumer did it
    assert worker_2.poll() is None

    # Logins from this address (5 a minute), spread over both hosts: one succeeded above, four
    # fail here, and the next is refused, whichever host it reaches (one count in Redis).
    stranger = requests.Session()
    answers = [
        login(stranger, host, "nobody@example.org", "wrong password").status_code for host in [second, first] * 3
    ]
    assert answers == [200, 200, 200, 200, 429, 429]
