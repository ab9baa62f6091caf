"""The report pages' figures through the API: the same queries and access (administrators every
programme, a director their own: 403 for another's programme, nobody else), ``computed_at`` when
a summary was read."""

from __future__ import annotations

from lms.api.models import Scope
from lms.extensions import db
from lms.reports import queries
from lms.reports.queries import Filters
from lms.reports.summaries import refresh_validation_summary
from tests.api.test_audits import token_of
from tests.reports.world import build_world

REPORTS = ("validation", "time-to-diploma", "intakes", "cohorts", "dropouts")


def test_reports_give_the_pages_figures_to_whoever_sees_the_pages(app):
    build_world(app)
    client = app.test_client()
    admin = token_of(app, "admin@example.org")
    director = token_of(app, "director@example.org")
    for name in REPORTS:
        url = f"/api/v1/reports/{name}"
        assert client.get(url, headers=admin).status_code == 200, name
        assert client.get(url, headers=director).status_code == 200, name
        assert client.get(url, headers=director, query_string={"programme": "MR11401A"}).status_code == 200
        refused = client.get(url, headers=director, query_string={"programme": "CS6800A"})
        assert refused.status_code == 403 and "items" not in refused.json, name
        assert client.get(url, headers=admin, query_string={"programme": "NOPE"}).status_code == 404
    for email in ("learner@example.org", "tutor@example.org"):
        token = token_of(app, email, Scope.WRITE)
        for name in REPORTS:
            assert client.get(f"/api/v1/reports/{name}", headers=token).status_code == 403, (email, name)
    assert client.get("/api/v1/reports/intakes").status_code == 401

    intakes = client.get("/api/v1/reports/intakes", headers=admin).json
    master = next(f for f in intakes["programmes"] if f["programme"] == "MR11401A")
    assert master["fill_rate"] == 0.667  # as the page shows "66,7 %"
    assert {f["programme"] for f in client.get("/api/v1/reports/intakes", headers=director).json["programmes"]} == {
        "MR11401A"
    }
    durations = client.get("/api/v1/reports/time-to-diploma", headers=admin).json
    assert 913 in [d["median_days"] for d in durations["by_programme"] + durations["by_modality"]]  # as the page
    dropouts = client.get("/api/v1/reports/dropouts", headers=director).json
    emails = {row["email"] for row in dropouts["items"]}
    assert "l5@example.org" in emails and "l12@example.org" not in emails

    live = client.get("/api/v1/reports/validation", headers=admin).json  # the queue keeps its summary current
    with app.app_context():
        expected = queries.validation_rates(queries.Scope(None), Filters())
        assert [(r["unit"], r["exam_session"], r["graded"], r["validated"]) for r in live["items"]] == [
            (r.unit_code, r.exam_session, r.graded, r.validated) for r in expected
        ]
        refresh_validation_summary()
        db.session.commit()
    summarised = client.get("/api/v1/reports/validation?limit=1", headers=admin).json
    assert summarised["computed_at"] is not None
    assert summarised["items"] == live["items"][:1] and summarised["page"]["has_next"] is True
