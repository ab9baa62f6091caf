"""Odd input never turns into a server error on the intakes forms."""

from __future__ import annotations

import pytest

from tests.helpers import client_for
from tests.intakes.world import (
    apply_form,
    build_world,
    post_form,
    submitted_application,
)


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "field, value",
    [
        ("prior_level", "abc"),
        ("prior_level", "9"),
        ("prior_level", "0"),
        ("years_experience", "-3"),
        ("years_experience", "1e9"),
        ("funding", "bogus"),
        ("current_job", "x" * 300),
        ("diplomas", "nul\x00byte"),
    ],
)
def test_odd_application_fields(app, field, value):
    world = build_world(app)
    client = client_for(app, "candidate1@example.org")
    response = post_form(client, f"/intakes/{world.master_intake}/apply", data=apply_form(**{field: value}, save="1"))
    assert response.status_code in (303, 422), response.status_code


@pytest.mark.sqlite_only
def test_odd_decisions_and_filters(app):
    world = build_world(app)
    application = submitted_application(app, "candidate1@example.org", world.master_intake)
    admin = client_for(app, "admin@example.org")
    url = f"/admin/intakes/applications/{application}"
    assert post_form(admin, url, f"{url}/decide", data={"decision": "bogus"}).status_code == 422
    assert post_form(admin, url, f"{url}/decide", data={"decision": "accept", "reason": "r" * 5000}).status_code == 422
    queue = f"/admin/intakes/{world.master_intake}"
    assert admin.get(f"{queue}?status=bogus&flagged=maybe").status_code == 200
    assert (
        post_form(
            admin, queue, f"{queue}/decide", data={"bulk-decision": "accept", "application_ids": ["x", "99999"]}
        ).status_code
        == 422
    )
    assert (
        post_form(
            admin,
            "/admin/intakes/new",
            data={"academic_year": "abc", "programme_version_id": "x", "centre_id": "", "modality": "zzz"},
        ).status_code
        == 422
    )
