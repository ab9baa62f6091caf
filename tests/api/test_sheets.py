"""Grade sheets through the API, as an institution's script would use them with a service token
only: read the sheet and its ETag, save drafts with If-Match, publish; a stale ETag gets 412 and a
row changed meanwhile 409, and neither loses anything. Another tutor's sheet is refused."""

from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import Learner, Role, User
from lms.api import services
from lms.api.models import Scope
from lms.extensions import db
from lms.results.models import Result, ResultStatus
from lms.timetable.models import Offering, Registration
from tests.helpers import make_user


def service_headers(app, scope: str = "write") -> dict[str, str]:
    made = app.test_cli_runner().invoke(args=["tokens", "create", "--name", f"SI {scope}", "--scope", scope])
    return {"Authorization": f"Bearer {made.output.strip().splitlines()[-1]}"}


def ue_offering(app) -> tuple[int, int]:
    """A UE offering of the latest year with registrations, and one registration id."""
    with app.app_context():
        learner = db.session.scalar(sa.select(Learner).where(Learner.learner_number == "100000W"))
        year = db.session.scalar(sa.select(sa.func.max(Offering.academic_year)))
        registration = next(
            r
            for r in db.session.scalars(
                sa.select(Registration)
                .join(Offering)
                .where(Registration.learner_id == learner.id, Offering.academic_year == year)
                .order_by(Registration.id)
            )
            if r.offering.unit.kind == "UE"
        )
        return registration.offering_id, registration.id


def test_a_script_with_a_service_token_saves_and_publishes_with_optimistic_locking(demo_app):
    client = demo_app.test_client()
    headers = service_headers(demo_app)
    offering_id, registration_id = ue_offering(demo_app)
    url = f"/api/v1/offerings/{offering_id}/sessions/1/results"
    read = client.get(url, headers=headers)
    assert read.status_code == 200
    etag = read.headers["ETag"]
    assert any(row["registration_id"] == registration_id for row in read.json["rows"])

    body = {"rows": [{"registration_id": registration_id, "grade": "14,5"}]}
    assert client.patch(url, json=body, headers=headers).status_code == 428  # no If-Match
    saved = client.patch(url, json=body, headers={**headers, "If-Match": etag})
    assert saved.status_code == 200, saved.json
    assert saved.json == {"saved": 1}
    new_etag = saved.headers["ETag"]
    assert new_etag != etag

    # The old ETag is stale now: 412, nothing changed.
    stale = client.patch(
        url, json={"rows": [{"registration_id": registration_id, "grade": "3"}]}, headers={**headers, "If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    # A row's version read before the save: 409, nothing overwritten.
    conflict = client.patch(
        url,
        json={"rows": [{"registration_id": registration_id, "grade": "3", "version": 0}]},
        headers={**headers, "If-Match": new_etag},
    )
    assert conflict.status_code == 409
    assert conflict.json["registration_ids"] == [registration_id]
    with demo_app.app_context():
        result = db.session.scalar(
            sa.select(Result).where(Result.registration_id == registration_id, Result.exam_session == 1)
        )
        assert str(result.grade) in ("14.5", "14.50") and result.status == ResultStatus.DRAFT

    invalid = client.patch(
        url,
        json={"rows": [{"registration_id": registration_id, "grade": "25"}]},
        headers={**headers, "If-Match": new_etag},
    )
    assert invalid.status_code == 422
    assert invalid.json["errors"][0]["registration_id"] == registration_id

    publication = f"/api/v1/offerings/{offering_id}/sessions/1/publication"
    assert (
        client.post(publication, json={"confirm_early": True}, headers={**headers, "If-Match": etag}).status_code == 412
    )
    published = client.post(publication, json={"confirm_early": True}, headers={**headers, "If-Match": new_etag})
    assert published.status_code == 200, published.json
    assert published.json["published"] >= 1
    with demo_app.app_context():
        result = db.session.scalar(
            sa.select(Result).where(Result.registration_id == registration_id, Result.exam_session == 1)
        )
        assert result.status == ResultStatus.PUBLISHED


def test_a_read_token_cannot_save_and_another_tutor_cannot_read_the_sheet(demo_app):
    client = demo_app.test_client()
    offering_id, registration_id = ue_offering(demo_app)
    url = f"/api/v1/offerings/{offering_id}/sessions/1/results"
    reader = service_headers(demo_app, "read")
    etag = client.get(url, headers=reader).headers["ETag"]
    refused = client.patch(
        url, json={"rows": [{"registration_id": registration_id, "grade": "12"}]}, headers={**reader, "If-Match": etag}
    )
    assert refused.status_code == 403
    make_user(demo_app, "other.tutor@example.org", [Role.TUTOR])
    with demo_app.app_context():
        outsider = db.session.scalar(sa.select(User).where(User.email == "other.tutor@example.org"))
        _token, secret = services.create_personal_token(outsider, "mine", Scope.WRITE, 30)
        db.session.commit()
    other = {"Authorization": f"Bearer {secret}"}
    answer = client.get(url, headers=other)
    assert answer.status_code == 403
    assert "rows" not in answer.text
    written = client.patch(
        url, json={"rows": [{"registration_id": registration_id, "grade": "12"}]}, headers={**other, "If-Match": etag}
    )
    assert written.status_code == 403
