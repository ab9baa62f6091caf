"""Importing a grade file on a sheet: upload, dry-run preview, confirmation (drafts, import source),
Moodle column choice, all-or-nothing refusals, access and upload tokens."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from lms.results import uploads
from lms.results.models import Result, ResultStatus
from lms.timetable.models import Registration, RegistrationStatus
from tests.helpers import client_for, csrf_token, get_user
from tests.results.world import build_world, history, results, sheet_url


@pytest.fixture
def world(app):
    built = build_world(app)
    with app.app_context():  # messages are asserted in English
        db.session.execute(sa.update(User).values(locale="en"))
        db.session.commit()
    return built


def numbers(app, registration_ids: list[int]) -> list[str]:
    with app.app_context():
        return [db.session.get(Registration, rid).learner.learner_number for rid in registration_ids]


def import_url(offering: int, session: int = 1) -> str:
    return f"{sheet_url(offering, session)}/import"


def upload(client, offering, content: bytes, filename: str, importer: str, session: int = 1, **extra):
    page = client.get(import_url(offering, session))
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token(page.text),
        "importer": importer,
        "file": (io.BytesIO(content), filename),
        **extra,
    }
    return client.post(import_url(offering, session), data=data, content_type="multipart/form-data")


def hidden(html: str, name: str) -> str:
    import re

    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no {name} in the page"
    return match.group(1)


def confirm(client, offering, page_html: str, session: int = 1):
    return client.post(
        f"{import_url(offering, session)}/confirm",
        data={"csrf_token": csrf_token(page_html), "token": hidden(page_html, "token")},
    )


def plain_csv(rows: list[tuple[str, str]]) -> bytes:
    return ("learner number;grade\n" + "".join(f"{n};{g}\n" for n, g in rows)).encode()


@pytest.mark.sqlite_only
def test_sheet_links_to_the_import_form(app, world):
    tutor = client_for(app, "tutor@example.org")
    page = tutor.get(sheet_url(world.offering))
    assert import_url(world.offering) in page.text
    form = tutor.get(import_url(world.offering))
    assert form.status_code == 200
    assert 'for="file"' in form.text and 'for="importer"' in form.text
    assert 'value="moodle"' in form.text and 'value="csv"' in form.text


def test_plain_csv_preview_then_confirm_saves_drafts_with_import_source(app, world):
    a, b, c = numbers(app, world.registrations)
    tutor = client_for(app, "tutor@example.org")
    preview = upload(tutor, world.offering, plain_csv([(a, "12,5"), (b, "15"), (c, "ABS")]), "grades.csv", "csv")
    assert preview.status_code == 200, preview.text[:2000]
    assert "12.50" in preview.text and "ABS" in preview.text and a in preview.text
    assert results(app, world.registrations) == {}  # a dry run writes nothing
    done = confirm(tutor, world.offering, preview.text)
    assert done.status_code == 302 and done.headers["Location"].endswith(sheet_url(world.offering))
    page = tutor.get(sheet_url(world.offering))
    assert "3 grades imported as drafts" in page.text
    saved = results(app, world.registrations)
    assert saved[world.registrations[0]].grade == Decimal("12.5")
    assert saved[world.registrations[1]].grade == Decimal(15)
    assert saved[world.registrations[2]].absent and saved[world.registrations[2]].grade is None
    assert {r.status for r in saved.values()} == {ResultStatus.DRAFT}
    entries = history(app, saved[world.registrations[0]].id)
    assert [(e[0], e[3]) for e in entries] == [("create", "import:csv")]
    # the token was used: a second confirmation is refused
    again = confirm(tutor, world.offering, preview.text)
    assert again.status_code == 302 and again.headers["Location"].endswith(import_url(world.offering))


def test_changes_show_old_and_new_and_unchanged_rows(app, world):
    a, b, _ = numbers(app, world.registrations)
    tutor = client_for(app, "tutor@example.org")
    first = upload(tutor, world.offering, plain_csv([(a, "10"), (b, "11")]), "g.csv", "csv")
    assert confirm(tutor, world.offering, first.text).status_code == 302
    preview = upload(tutor, world.offering, plain_csv([(a, "14"), (b, "11")]), "g.csv", "csv")
    assert preview.status_code == 200
    assert "Grades to write" in preview.text and "10.00" in preview.text and "14.00" in preview.text
    assert "Unchanged grades" in preview.text
    assert confirm(tutor, world.offering, preview.text).status_code == 302
    saved = results(app, world.registrations)
    assert saved[world.registrations[0]].grade == Decimal(14)
    assert [e[0] for e in history(app, saved[world.registrations[0]].id)] == ["create", "edit"]
    assert [e[0] for e in history(app, saved[world.registrations[1]].id)] == ["create"]


@pytest.mark.sqlite_only
def test_moodle_export_asks_for_a_grade_column(app, world):
    a, _, c = numbers(app, world.registrations)
    content = (
        "First name,Last name,ID number,Email address,Assignment: Final exam (Real),Quiz: Week 3 (Real)\n"
        f"Ada,A,{a},learner.a@example.org,12.50,8.00\n"
        f"Bob,B,,learner.b@example.org,15.00,-\n"
        f"Cy,C,{c},learner.c@example.org,9.00,7.00\n"
    ).encode()
    tutor = client_for(app, "tutor@example.org")
    choose = upload(tutor, world.offering, content, "moodle.csv", "moodle")
    assert choose.status_code == 200
    assert "Assignment: Final exam (Real)" in choose.text and 'for="column"' in choose.text
    token = hidden(choose.text, "token")
    preview = tutor.post(
        import_url(world.offering),
        data={
            "csrf_token": csrf_token(choose.text),
            "importer": "moodle",
            "token": token,
            "column": "Quiz: Week 3 (Real)",
        },
    )
    assert preview.status_code == 200, preview.text[:2000]
    assert "Quiz: Week 3 (Real)" in preview.text
    assert confirm(tutor, world.offering, preview.text).status_code == 302
    saved = results(app, world.registrations)
    assert saved[world.registrations[0]].grade == Decimal(8)
    assert world.registrations[1] not in saved  # "-": no grade, nothing written
    assert saved[world.registrations[2]].grade == Decimal(7)
    assert history(app, saved[world.registrations[0]].id)[0][3] == "import:moodle"


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("bad_row", "message"),
    [(("99999", "12"), "not registered in this offering"), (None, "outside 0–20")],
)
def test_unknown_learner_or_bad_grade_is_shown_and_confirm_refuses(app, world, bad_row, message):
    a, b, _ = numbers(app, world.registrations)
    rows = [(a, "12"), bad_row or (b, "21")]
    tutor = client_for(app, "tutor@example.org")
    preview = upload(tutor, world.offering, plain_csv(rows), "bad.csv", "csv")
    assert preview.status_code == 200
    assert message in preview.text and "bad.csv:3" in preview.text
    assert 'name="partial"' in preview.text  # the valid rows may be imported, if the user says so
    # Without that option, the confirmation refuses all of it.
    with app.test_request_context():
        user = get_user(app, "tutor@example.org")
        token = uploads.store(
            plain_csv(rows),
            "bad.csv",
            user_id=user.id,
            offering_id=world.offering,
            session=1,
            importer="csv",
        )
        db.session.commit()  # the storage writes in the caller's transaction, as a request does
    refused = tutor.post(
        f"{import_url(world.offering)}/confirm",
        data={"csrf_token": csrf_token(preview.text), "token": token},
    )
    assert refused.status_code == 422
    assert "Nothing was imported" in refused.text and message in refused.text
    assert results(app, world.registrations) == {}


def test_confirm_refuses_when_the_roster_changed_since_the_preview(app, world):
    a, _, c = numbers(app, world.registrations)
    tutor = client_for(app, "tutor@example.org")
    preview = upload(tutor, world.offering, plain_csv([(a, "12"), (c, "13")]), "g.csv", "csv")
    assert "/import/confirm" in preview.text
    with app.app_context():
        db.session.get(Registration, world.registrations[2]).status = RegistrationStatus.WITHDRAWN
        db.session.commit()
    refused = confirm(tutor, world.offering, preview.text)
    assert refused.status_code == 422 and "not registered in this offering" in refused.text
    assert results(app, world.registrations) == {}


@pytest.mark.sqlite_only
def test_wrong_extension_and_size_are_refused(app, world):
    tutor = client_for(app, "tutor@example.org")
    wrong = upload(tutor, world.offering, b"learner number,grade\n", "grades.pdf", "csv")
    assert wrong.status_code == 422 and ".csv, .txt or .xlsx" in wrong.text
    app.config["GRADE_UPLOAD_MAX_BYTES"] = 10
    big = upload(tutor, world.offering, b"learner number,grade\n1,2\n", "grades.csv", "csv")
    assert big.status_code == 422 and "larger than" in big.text
    app.config["GRADE_UPLOAD_MAX_BYTES"] = uploads.DEFAULT_MAX_BYTES
    mismatch = upload(tutor, world.offering, b"learner number,grade\n", "grades.csv", "xlsx")
    assert mismatch.status_code == 422 and "cannot read a file called grades.csv" in mismatch.text


@pytest.mark.sqlite_only
def test_another_tutor_and_a_director_get_403(app, world):
    for email in ("tutor2@example.org", "director@example.org", "learner.a@example.org"):
        client = client_for(app, email)
        assert client.get(import_url(world.offering)).status_code == 403
        assert client.post(f"{import_url(world.offering)}/confirm", data={}).status_code in (400, 403)
    other = client_for(app, "tutor2@example.org")
    assert import_url(world.offering) not in other.get(sheet_url(world.other_offering)).text
    assert import_url(world.other_offering) in other.get(sheet_url(world.other_offering)).text


@pytest.mark.sqlite_only
def test_token_of_another_user_sheet_or_expired_is_refused(app, world):
    a, _, _ = numbers(app, world.registrations)
    tutor = client_for(app, "tutor@example.org")
    preview = upload(tutor, world.offering, plain_csv([(a, "12")]), "g.csv", "csv")
    token = hidden(preview.text, "token")
    admin = client_for(app, "admin@example.org")
    page = admin.get(import_url(world.offering))
    stolen = admin.post(
        f"{import_url(world.offering)}/confirm",
        data={"csrf_token": csrf_token(page.text), "token": token},
    )
    assert stolen.status_code == 302 and stolen.headers["Location"].endswith(import_url(world.offering))
    other_sheet = tutor.post(
        f"{import_url(world.offering, 2)}/confirm",
        data={"csrf_token": csrf_token(preview.text), "token": token},
    )
    assert other_sheet.status_code == 302
    app.config["GRADE_UPLOAD_TTL"] = -1  # every upload is now too old
    expired = confirm(tutor, world.offering, preview.text)
    assert expired.status_code == 302 and expired.headers["Location"].endswith(import_url(world.offering))
    assert "expired" in tutor.get(import_url(world.offering)).text
    app.config["GRADE_UPLOAD_TTL"] = uploads.DEFAULT_TTL
    assert results(app, world.registrations) == {}


@pytest.mark.sqlite_only
def test_locked_sheet_and_ua_sheet_have_no_import(app, world):
    from datetime import timedelta

    from lms.core.time import utcnow
    from tests.results.world import set_jury

    tutor = client_for(app, "tutor@example.org")
    assert tutor.get(import_url(world.ua_offering)).status_code == 404
    assert import_url(world.ua_offering) not in tutor.get(sheet_url(world.ua_offering)).text
    set_jury(app, world.offering, 1, utcnow().date() - timedelta(days=1))
    assert import_url(world.offering) not in tutor.get(sheet_url(world.offering)).text
    locked = tutor.get(import_url(world.offering))
    assert locked.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Result)) == 0
