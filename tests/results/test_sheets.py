"""Grade sheets: access, drafts and publishing, all-or-nothing rows, session 2, conflicts (409)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.results.models import ResultStatus
from tests.helpers import client_for, csrf_token
from tests.results.world import (
    build_world,
    history,
    results,
    save,
    sheet_form,
    sheet_url,
)


@pytest.fixture
def world(app):
    return build_world(app)


def test_my_offerings_lists_own_offerings_with_sheet_links(app, world):
    tutor = client_for(app, "tutor@example.org")
    page = tutor.get("/results/offerings?year=all")  # the world is in 2026-2027, whatever the clock
    assert page.status_code == 200
    assert "NFA031" in page.text and "UA2B01" in page.text and "NFA032" not in page.text
    assert sheet_url(world.offering, 1) in page.text and sheet_url(world.offering, 2) in page.text
    assert 'href="/results/offerings"' in tutor.get("/").text  # nav item


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("email", "own", "other"),
    [
        ("tutor@example.org", 200, 403),
        ("tutor2@example.org", 403, 200),
        (
            "director@example.org",
            200,
            403,
        ),  # directs the programme of NFA031, not of NFA032
        ("admin@example.org", 200, 200),
        ("learner.a@example.org", 403, 403),
    ],
)
def test_access_matrix_for_viewing(app, world, email, own, other):
    client = client_for(app, email)
    assert client.get(sheet_url(world.offering)).status_code == own
    assert client.get(sheet_url(world.other_offering)).status_code == other


@pytest.mark.sqlite_only
def test_another_tutor_cannot_save_and_a_director_only_reads(app, world):
    tutor = client_for(app, "tutor@example.org")
    page = tutor.get(sheet_url(world.offering))
    data = sheet_form(page.text, {world.registrations[0]: "12"})
    other = client_for(app, "tutor2@example.org")
    data_other = dict(data, csrf_token=csrf_token(other.get("/").text))
    assert other.post(sheet_url(world.offering), data=data_other).status_code == 403
    director = client_for(app, "director@example.org")
    page = director.get(sheet_url(world.offering))
    assert 'name="grade-' not in page.text  # read-only for a director
    data_director = dict(data, csrf_token=csrf_token(page.text))
    assert director.post(sheet_url(world.offering), data=data_director).status_code == 403
    assert results(app, world.registrations) == {}


def test_draft_is_hidden_from_the_learner_until_published(app, world):
    tutor = client_for(app, "tutor@example.org")
    a, b, c = world.registrations
    response = save(tutor, world.offering, {a: "12,5", b: "absent", c: "8.25"})
    assert response.status_code == 302
    saved = results(app, world.registrations)
    assert saved[a].grade == Decimal("12.50") and saved[b].absent and saved[c].grade == Decimal("8.25")
    assert {r.status for r in saved.values()} == {ResultStatus.DRAFT}
    learner = client_for(app, "learner.a@example.org")
    assert "12,50" not in learner.get("/results/mine").text
    assert save(tutor, world.offering, {}, publish=True).status_code == 302
    assert {r.status for r in results(app, world.registrations).values()} == {ResultStatus.PUBLISHED}
    mine = learner.get("/results/mine").text
    assert "NFA031" in mine and "12,50" in mine
    assert "8,25" not in mine  # another learner's grade


@pytest.mark.sqlite_only
def test_invalid_rows_keep_values_and_save_nothing(app, world):
    tutor = client_for(app, "tutor@example.org")
    a, b, c = world.registrations
    response = save(tutor, world.offering, {a: "21", b: "abc", c: "14,75"})
    assert response.status_code == 422
    assert results(app, world.registrations) == {}
    html = response.text
    assert 'value="21"' in html and 'value="abc"' in html and 'value="14,75"' in html
    assert html.count('class="invalid-feedback d-block"') == 2
    assert f'id="error-{a}"' in html and f'id="error-{b}"' in html and f'id="error-{c}"' not in html
    assert save(tutor, world.offering, {a: "12.555"}).status_code == 422  # three decimals


def test_ua_sheet_takes_a_decision_and_a_comment(app, world):
    tutor = client_for(app, "tutor@example.org")
    a, b, c = world.ua_registrations
    response = save(
        tutor,
        world.ua_offering,
        {
            a: {"decision": "validated", "comment": "Mémoire soutenu"},
            b: {"decision": "not_validated"},
        },
        publish=True,
    )
    assert response.status_code == 302
    saved = results(app, world.ua_registrations)
    assert saved[a].decision == "validated" and saved[a].comment == "Mémoire soutenu"
    assert saved[b].decision == "not_validated" and saved[b].status == ResultStatus.PUBLISHED
    assert save(tutor, world.ua_offering, {c: {"decision": "maybe"}}).status_code == 422


def test_session_two_lists_only_absent_or_failed_learners(app, world):
    tutor = client_for(app, "tutor@example.org")
    a, b, c = world.registrations
    save(tutor, world.offering, {a: "12", b: "absent", c: "9,99"}, publish=True)
    page = tutor.get(sheet_url(world.offering, 2)).text
    assert f'name="grade-{a}"' not in page
    assert f'name="grade-{b}"' in page and f'name="grade-{c}"' in page
    assert save(tutor, world.offering, {c: "11"}, session=2, publish=True).status_code == 302
    assert results(app, [c], session=2)[c].grade == Decimal(11)


def test_second_concurrent_save_gets_a_409_and_the_first_value_is_kept(app, world):
    a, b, _ = world.registrations
    first = client_for(app, "tutor@example.org")
    second = client_for(app, "admin@example.org")
    save(first, world.offering, {a: "10"})  # a result exists with version 1
    page_first = first.get(sheet_url(world.offering)).text
    page_second = second.get(sheet_url(world.offering)).text
    assert first.post(sheet_url(world.offering), data=sheet_form(page_first, {a: "15"})).status_code == 302
    response = second.post(sheet_url(world.offering), data=sheet_form(page_second, {a: "7", b: "13"}))
    assert response.status_code == 409
    assert "15,00" in response.text and "7/20" in response.text
    saved = results(app, world.registrations)
    assert saved[a].grade == Decimal(15) and b not in saved  # nothing of the second save is kept


def test_409_on_a_row_created_meanwhile(app, world):
    a = world.registrations[0]
    first = client_for(app, "tutor@example.org")
    second = client_for(app, "admin@example.org")
    page_first = first.get(sheet_url(world.offering)).text
    page_second = second.get(sheet_url(world.offering)).text
    assert first.post(sheet_url(world.offering), data=sheet_form(page_first, {a: "15"})).status_code == 302
    assert second.post(sheet_url(world.offering), data=sheet_form(page_second, {a: "7"})).status_code == 409
    assert results(app, [a])[a].grade == Decimal(15)


def test_history_of_create_edit_publish(app, world):
    tutor = client_for(app, "tutor@example.org")
    a = world.registrations[0]
    save(tutor, world.offering, {a: "10"})
    save(tutor, world.offering, {a: "11"})
    save(tutor, world.offering, {}, publish=True)
    result = results(app, [a])[a]
    rows = history(app, result.id)
    assert [row[0] for row in rows] == ["create", "edit", "publish"]
    assert rows[1][1]["grade"] == "10.00" and rows[1][2]["grade"] == "11.00"
    assert {row[3] for row in rows} == {"sheet"}
    page = tutor.get(f"/results/{result.id}/history")
    assert page.status_code == 200 and "11.00" in page.text
    assert client_for(app, "tutor2@example.org").get(f"/results/{result.id}/history").status_code == 403
    assert client_for(app, "learner.a@example.org").get(f"/results/{result.id}/history").status_code == 403
    assert client_for(app, "director@example.org").get(f"/results/{result.id}/history").status_code == 200


def test_fields_a_sheet_does_not_show_are_kept(app, world):
    """A UA sheet has no grade column, a UE sheet no comment column: saving keeps those values."""
    from lms.extensions import db
    from lms.results import services
    from lms.timetable.models import Offering

    a = world.ua_registrations[0]
    c = world.registrations[2]
    with app.app_context():
        ua = db.session.get(Offering, world.ua_offering)
        services.save_sheet(
            ua,
            1,
            [services.RowInput(a, grade="14", decision="validated")],
            None,
            publish=False,
        )
        ue = db.session.get(Offering, world.offering)
        services.save_sheet(
            ue,
            1,
            [services.RowInput(c, grade="9", comment="Copie rendue en retard")],
            None,
            False,
        )
        db.session.commit()
    tutor = client_for(app, "tutor@example.org")
    assert save(tutor, world.ua_offering, {a: {"decision": "not_validated"}}).status_code == 302
    assert save(tutor, world.offering, {c: "9,5"}).status_code == 302
    kept = results(app, [a])[a]
    assert kept.grade == Decimal(14) and kept.decision == "not_validated"
    assert results(app, [c])[c].comment == "Copie rendue en retard"


def test_publishing_notifies_the_learner_in_the_app(app, world):
    import sqlalchemy as sa

    from lms.accounts.models import User
    from lms.extensions import db
    from lms.notifications.models import Notification

    tutor = client_for(app, "tutor@example.org")
    a, b, _ = world.registrations
    save(tutor, world.offering, {a: "12", b: "13"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0
    save(tutor, world.offering, {}, publish=True)
    with app.app_context():
        learner_a = db.session.scalar(sa.select(User.id).where(User.email == "learner.a@example.org"))
        notes = db.session.scalars(sa.select(Notification)).all()
        assert len(notes) == 2 and learner_a in {note.user_id for note in notes}
        assert all("NFA031" in note.title for note in notes)
    save(tutor, world.offering, {}, publish=True)  # nothing new published: no new message
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 2


@pytest.mark.sqlite_only
def test_odd_requests_get_clean_answers(app, world):
    tutor = client_for(app, "tutor@example.org")
    a = world.registrations[0]
    assert tutor.get(sheet_url(world.offering, 3)).status_code == 404
    assert tutor.get(sheet_url(999_999)).status_code == 404
    assert tutor.get("/results/999999/history").status_code == 404
    assert tutor.post(sheet_url(world.offering), data={f"grade-{a}": "12", f"version-{a}": ""}).status_code in (
        302,
        400,
    )  # no CSRF token: refused
    assert results(app, [a]) == {}
    page = tutor.get(sheet_url(world.offering)).text
    data = sheet_form(page, {a: "NaN"})
    data[f"version-{a}"] = "abc"
    assert tutor.post(sheet_url(world.offering), data=data).status_code == 422
    assert results(app, [a]) == {}


@pytest.mark.sqlite_only
def test_learners_and_tutors_stay_out_of_each_others_pages(app, world):
    learner = client_for(app, "learner.a@example.org")
    assert learner.get("/results/offerings").status_code == 403
    assert learner.get("/results/mine").status_code == 200
    tutor = client_for(app, "tutor@example.org")
    assert tutor.get("/results/mine").status_code == 403


def test_a_publication_recomputes_the_validation_summary_the_report_reads(app, world):
    from lms.reports import queries as reports

    tutor = client_for(app, "tutor@example.org")
    a, b, c = world.registrations
    save(tutor, world.offering, {a: "12", b: "8", c: "absent"}, publish=True)
    with app.app_context():
        first = reports.summary_time()
        assert first is not None  # the publication's commit queued it; the tests' queue ran it
        (line,) = reports.validation_rates(reports.Scope(None), reports.Filters(), summarised=True)
        assert (line.unit_code, line.graded, line.validated, line.absent) == ("NFA031", 2, 1, 1)
    page = client_for(app, "admin@example.org").get("/reports/validation")
    assert "Chiffres au" in page.text and "NFA031" in page.text
