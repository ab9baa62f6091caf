"""Benchmark: pages under concurrent clients, served by gunicorn with 2 workers (DESIGN's bars).

    .venv/bin/python bench/pages.py [--clients 20] [--requests 400] [--worker-class sync|gthread] [--threads 4]

Loads the demo data into a temporary SQLite database, fills one current-year offering of the demo
tutor to 40 registered learners (the size DESIGN names for a grade sheet), starts gunicorn with
2 workers on a free loopback port (``--worker-class``: sync, as ``make run`` does, or gthread with
``--threads`` threads each), logs each role in once and then, for each page, sends ``--requests``
GET requests from ``--clients`` threads. Reported per page: p50 and p95 latency, throughput, its
ratio to a trivial route of the same app measured in the same run (/healthz), and errors (any
status other than 200). Then the resident memory of each worker.

``--in-process`` measures instead the CPU time of one request of each page in this process (the
test client; no server, no concurrency): the figure to compare commits on a shared machine.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from lms.accounts.models import Learner, User  # noqa: E402
from lms.app import create_app  # noqa: E402
from lms.catalog.models import Programme  # noqa: E402
from lms.core.time import academic_year, utcnow  # noqa: E402
from lms.demo import DEMO_PASSWORD, DemoSettings, load_demo  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.intakes.models import Enrolment  # noqa: E402
from lms.progress.models import ProgressSnapshot  # noqa: E402
from lms.timetable.models import Offering, Registration, RegistrationStatus, offering_tutors  # noqa: E402

SHEET_SIZE = 40


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def prepare(database_url: str) -> tuple[int, str]:
    """Demo data plus one 40-learner sheet for the demo tutor; returns that offering's id and the
    code of a programme the demo learner is enrolled in (its requirement tree is a page)."""
    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if db.session.scalar(sa.select(sa.func.count(User.id))) == 0:  # a given data set is used as it is
            load_demo(DemoSettings())
            db.session.commit()
        tutor = db.session.scalar(sa.select(User.id).where(User.email == "enseignant@example.org"))
        offering = db.session.scalar(
            sa.select(Offering)
            .join(offering_tutors, offering_tutors.c.offering_id == Offering.id)
            .where(offering_tutors.c.user_id == tutor, Offering.academic_year == academic_year(utcnow().date()))
            .order_by(Offering.id)
            .limit(1)
        )
        taken = set(
            db.session.scalars(sa.select(Registration.learner_id).where(Registration.offering_id == offering.id))
        )
        for learner_id in db.session.scalars(sa.select(Learner.id).order_by(Learner.id)):
            if len(taken) >= SHEET_SIZE:
                break
            if learner_id not in taken:
                db.session.add(
                    Registration(learner_id=learner_id, offering_id=offering.id, status=RegistrationStatus.REGISTERED)
                )
                taken.add(learner_id)
        db.session.commit()
        programme = db.session.scalar(
            sa.select(Programme.code)
            .join(Enrolment, Enrolment.programme_id == Programme.id)
            .join(Learner, Learner.id == Enrolment.learner_id)
            .join(User, User.id == Learner.user_id)
            .join(ProgressSnapshot, ProgressSnapshot.enrolment_id == Enrolment.id)
            .where(User.email == "apprenant@example.org")
            .order_by(Enrolment.id)
            .limit(1)
        )
        return offering.id, programme


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, cookie: str | None = None, body: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        cookies = response.headers.get_all("Set-Cookie") or []
        connection.close()
        return response.status, payload, cookies

    def login(self, email: str) -> str:
        status, page, cookies = self.request("GET", "/login")
        jar = "; ".join(cookie.split(";", 1)[0] for cookie in cookies)
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        status, _, cookies = self.request(
            "POST", "/login", jar, {"csrf_token": token, "email": email, "password": DEMO_PASSWORD}
        )
        if status != 302:
            raise SystemExit(f"login of {email} failed: {status}")
        fresh = {cookie.split("=", 1)[0]: cookie.split(";", 1)[0] for cookie in cookies}
        old = {part.split("=", 1)[0]: part for part in jar.split("; ") if part}
        return "; ".join({**old, **fresh}.values())

    def wait(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")


def hammer(site: Site, path: str, cookie: str | None, clients: int, requests: int) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def client() -> None:
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            start = time.perf_counter()
            try:
                status = site.request("GET", path, cookie)[0]
            except OSError:
                status = -1
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "rps": len(latencies) / wall,
        "errors": len(errors),
        "statuses": sorted(set(errors)),
    }


def worker_rss_mib(master_pid: int) -> list[float]:
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def page_list(offering_id: int, programme: str, learner, tutor, admin) -> list[tuple[str, str, object]]:
    """(label, path, who) of each measured page; ``who`` is what logs the learner, tutor or admin in."""
    return [
        ("trivial route (/healthz)", "/healthz", None),
        ("learner dashboard (/me/)", "/me/", learner),
        ("learner home (/)", "/", learner),
        ("requirement tree (/me/programmes/…)", f"/me/programmes/{programme}", learner),
        ("learner timeline (/me/timeline)", "/me/timeline", learner),
        (f"tutor grade sheet, {SHEET_SIZE} learners", f"/results/offerings/{offering_id}/sessions/1", tutor),
        ("admin offerings list, paged", "/admin/timetable/offerings", admin),
        ("admin accounts search (q=mar)", "/admin/accounts/?q=mar", admin),
        ("learner search (q=mar)", "/learners/?q=mar", admin),
        ("admin home (/), overview counts", "/", admin),
        ("report time to diploma", "/reports/time-to-diploma", admin),
        ("report intakes", "/reports/intakes", admin),
        ("report dropouts", "/reports/dropouts", admin),
    ]


def in_process(database_url: str, offering_id: int, programme: str, rounds: int = 5, calls: int = 20) -> None:
    """CPU time of one request of each page in this process (Flask's test client, no server, no
    concurrency): the least of ``rounds`` rounds of ``calls`` requests, so that other work on the
    machine weighs as little as it can."""
    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})

    def client_of(email: str):
        client = app.test_client()
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"csrf_token": token, "email": email, "password": DEMO_PASSWORD})
        return client

    who = [client_of(email) for email in ("apprenant@example.org", "enseignant@example.org", "admin@example.org")]
    print(f"\n{datetime.now():%Y-%m-%d %H:%M}, in process, CPU ms per request, least of {rounds} x {calls}\n")
    for label, path, client in page_list(offering_id, programme, *who):
        client = client or app.test_client()
        for _ in range(5):
            status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{path}: {status}")
        best = float("inf")
        for _ in range(rounds):
            started = time.process_time()
            for _ in range(calls):
                client.get(path)
            best = min(best, (time.process_time() - started) / calls * 1000)
        print(f"{label:<40} {best:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument(
        "--database-url",
        help="a data set to measure on (e.g. of `lms demo --learners 200000 --centres 20`; the demo tutor's "
        "first offering of the year is filled to 40 learners); default: the demo in a temporary file",
    )
    parser.add_argument(
        "--in-process", action="store_true", help="CPU time per request in this process instead (no server)"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lms-bench-pages-"))
    database_url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    print(f"preparing the demo data in {folder} ...", flush=True)
    offering_id, programme = prepare(database_url)
    if args.in_process:
        in_process(database_url, offering_id, programme)
        return
    port = free_port()
    env = {
        **os.environ,
        "LMS_DATABASE_URL": database_url,
        "LMS_SECRET_KEY": "bench-secret",
        "LMS_UPLOAD_FOLDER": str(folder),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "2",
            "--worker-class",
            args.worker_class,
            "--threads",
            str(args.threads if args.worker_class == "gthread" else 1),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        site = Site(port)
        site.wait()
        learner, tutor, admin = (
            site.login(email) for email in ("apprenant@example.org", "enseignant@example.org", "admin@example.org")
        )
        pages = page_list(offering_id, programme, learner, tutor, admin)
        for _label, path, cookie in pages:  # warm up each worker's caches
            hammer(site, path, cookie, 2, 10)
        print(
            f"\n{datetime.now():%Y-%m-%d %H:%M}, {args.clients} clients, {args.requests} requests per page, "
            f"gunicorn 2 {args.worker_class} workers"
            + (f" of {args.threads} threads" if args.worker_class == "gthread" else "")
            + f", {database_url.split(':')[0].split('+')[0]}, load average {os.getloadavg()[0]:.1f}\n"
        )
        print(f"{'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'ratio':>7} {'errors':>7}")
        baseline = None
        for label, path, cookie in pages:
            figures = hammer(site, path, cookie, args.clients, args.requests)
            baseline = baseline or figures["rps"]
            print(
                f"{label:<40} {figures['p50']:>8.1f} {figures['p95']:>8.1f} {figures['rps']:>8.0f} "
                f"{figures['rps'] / baseline:>7.2f} {figures['errors']:>7}"
                + (f"  statuses {figures['statuses']}" if figures["errors"] else "")
            )
        print("\nworker RSS (MiB): " + ", ".join(f"{size:.0f}" for size in worker_rss_mib(server.pid)))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
