"""The two correction pages of a published result, one behaviour: the tutor's before the jury (on
the sheet) and the director's after it (``/results/<id>/correct``). Each shows the current value,
refuses on the form (422, nothing changed), answers a stale version with the conflict page (409)
and goes back to its own place once corrected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from flask.testing import FlaskClient

from lms.core.time import utcnow
from tests.helpers import client_for, csrf_token
from tests.results.world import build_world, results, save, set_jury, sheet_url


@dataclass
class Page:
    client: FlaskClient  # who corrects
    url: str
    done: str  # where a correction leads
    registration_id: int


@pytest.fixture(params=["tutor before the jury", "director after the jury"])
def page(request, app) -> Page:
    world = build_world(app)
    tutor = client_for(app, "tutor@example.org")
    a = world.registrations[0]
    assert save(tutor, world.offering, {a: "12"}, publish=True).status_code == 302
    result_id = results(app, [a])[a].id
    if request.param == "tutor before the jury":
        return Page(tutor, f"{sheet_url(world.offering)}/correct/{result_id}", sheet_url(world.offering), a)
    set_jury(app, world.offering, 1, utcnow().date() - timedelta(days=1))
    director = client_for(app, "director@example.org")
    return Page(director, f"/results/{result_id}/correct", f"/results/{result_id}/history", a)


def post(client: FlaskClient, url: str, shown: str, **values):
    version = re.search(r'name="version" type="hidden" value="(\d+)"', shown).group(1)
    return client.post(url, data={"csrf_token": csrf_token(shown), "version": version, **values})


def test_the_form_shows_the_current_value_and_a_correction_goes_back_to_its_place(app, page):
    shown = page.client.get(page.url)
    assert shown.status_code == 200 and 'value="12.00"' in shown.text
    refused = post(page.client, page.url, shown.text, grade="21", reason="Erreur de report")
    assert refused.status_code == 422 and 'value="21"' in refused.text
    assert post(page.client, page.url, shown.text, grade="14", reason="  ").status_code == 422
    assert results(app, [page.registration_id])[page.registration_id].grade == Decimal(12)
    done = post(page.client, page.url, shown.text, grade="14", reason="Erreur de report")
    assert done.status_code == 302 and done.headers["Location"] == page.done
    assert results(app, [page.registration_id])[page.registration_id].grade == Decimal(14)


def test_a_correction_read_at_an_old_version_gets_the_conflict_page(app, page):
    stale = page.client.get(page.url).text
    fresh = page.client.get(page.url).text
    assert post(page.client, page.url, fresh, grade="15", reason="Copie recomptée").status_code == 302
    conflict = post(page.client, page.url, stale, grade="9", reason="Autre erreur")
    assert conflict.status_code == 409 and "15" in conflict.text
    assert results(app, [page.registration_id])[page.registration_id].grade == Decimal(15)
