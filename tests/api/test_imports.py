"""Catalogue imports through the API, with a service token only: a dry run first (nothing
written), then the import (all or nothing), the re-audit job it starts; bad files get their
`FILE:LINE` problems, a too large one 413, and only the admin scope may import."""

from __future__ import annotations

import sqlalchemy as sa

from lms.catalog.models import ProgrammeVersion, Unit
from lms.extensions import db
from tests.catalog.test_pages import NEW_FILE

YAML = {"Content-Type": "application/yaml"}


def token(app, scope: str) -> dict[str, str]:
    made = app.test_cli_runner().invoke(args=["tokens", "create", "--name", f"catalogue {scope}", "--scope", scope])
    return {"Authorization": f"Bearer {made.output.strip().splitlines()[-1]}"}


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count(Unit.id))),
            db.session.scalar(sa.select(sa.func.count(ProgrammeVersion.id))),
        )


def test_dry_run_then_import_with_a_service_token(demo_app):
    client = demo_app.test_client()
    admin = token(demo_app, "admin")
    before = counts(demo_app)
    dry = client.post(
        "/api/v1/catalogue/imports?dry_run=true&filename=licence-2027.yaml", data=NEW_FILE, headers={**admin, **YAML}
    )
    assert dry.status_code == 200, dry.json
    assert dry.json["dry_run"] is True and dry.json["job"] is None
    assert dry.json["counts"]["units_added"] == 1 and dry.json["counts"]["versions_added"] == 1
    assert any("NEW101" in line for line in dry.json["changes"])
    assert counts(demo_app) == before

    done = client.post("/api/v1/catalogue/imports", data=NEW_FILE, headers={**admin, **YAML})
    assert done.status_code == 201, done.json
    assert counts(demo_app) == (before[0] + 1, before[1] + 1)
    # The demo's few learners are re-audited within the import; a whole institution's in a job.
    assert done.json["job"] is None
    again = client.post("/api/v1/catalogue/imports", data=NEW_FILE, headers={**admin, **YAML})
    assert again.status_code == 200 and again.json["job"] is None  # nothing left to change


def test_bad_files_too_large_files_and_narrow_scopes_write_nothing(demo_app):
    client = demo_app.test_client()
    admin = token(demo_app, "admin")
    before = counts(demo_app)
    broken = NEW_FILE.replace("kind: licence", "kind: nonsense")
    answer = client.post("/api/v1/catalogue/imports?filename=broken.yaml", data=broken, headers={**admin, **YAML})
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert all(line.startswith("broken.yaml:") for line in answer.json["problems"])
    huge = "#" * (demo_app.config["CATALOG_UPLOAD_MAX_BYTES"] + 1)
    assert client.post("/api/v1/catalogue/imports", data=huge, headers={**admin, **YAML}).status_code == 413
    assert (
        client.post(
            "/api/v1/catalogue/imports", data=NEW_FILE, headers={**admin, "Content-Type": "text/plain"}
        ).status_code
        == 415
    )
    writer = token(demo_app, "write")
    assert client.post("/api/v1/catalogue/imports", data=NEW_FILE, headers={**writer, **YAML}).status_code == 403
    assert counts(demo_app) == before


def test_a_job_is_followed_by_the_account_that_started_it_only(demo_app):
    from lms.accounts.models import User
    from lms.core import jobs

    client = demo_app.test_client()
    admin = token(demo_app, "admin")
    me = client.get("/api/v1/me", headers=admin).json["id"]
    with demo_app.app_context():
        job = jobs.start("reaudit", "Re-audit", 10, db.session.get(User, me).id).id
        db.session.commit()
    followed = client.get(f"/api/v1/jobs/{job}", headers=admin)
    assert followed.status_code == 200
    assert followed.json == {**followed.json, "id": job, "status": "queued", "total": 10, "finished": False}
    assert client.get(f"/api/v1/jobs/{job}", headers=token(demo_app, "read")).status_code == 404
