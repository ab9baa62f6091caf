"""Candidates: sign-up, the open intakes, drafts and submission, the entry-level rule, withdrawal,
and the access matrix (a candidate sees only their own application)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from lms.intakes.models import Application, ApplicationStatus
from lms.intakes.services.applications import below_entry_level
from tests.accounts.test_password_links import same_page
from tests.helpers import PASSWORD, client_for, csrf_token, login, use_language
from tests.intakes.world import (
    apply_form,
    build_world,
    post_form,
    submitted_application,
)
from tests.mailbox import link_in


def _application(app, email):
    with app.app_context():
        return db.session.scalar(
            sa.select(Application).join(User, Application.candidate_id == User.id).where(User.email == email)
        )


def test_entry_level_rule():
    assert below_entry_level(5, 6)
    assert not below_entry_level(6, 6)
    assert not below_entry_level(7, 6)
    assert not below_entry_level(None, 6)
    assert not below_entry_level(3, None)


def sign_up(client, name: str, email: str):
    page = client.get("/signup")
    assert page.status_code == 200
    return client.post("/signup", data={"csrf_token": csrf_token(page.text), "name": name, "email": email})


def test_a_new_person_signs_up_chooses_a_password_from_the_mail_and_applies(app, mailbox):
    client = app.test_client()
    use_language(client, "en")
    answer = sign_up(client, "Nina Candidate", "Nina@Example.org")
    assert answer.status_code == 200 and "Check your mail" in answer.text
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "nina@example.org"))
        assert user is not None and user.roles == frozenset() and user.learner is None
        assert user.password_hash is None and user.locale == "en"
    assert client.get("/applications").status_code == 302  # not logged in before choosing a password
    (mail,) = mailbox.wait(1)
    assert mail["To"] == "nina@example.org" and mail["Subject"] == "Finish creating your lms account"
    link = link_in(mail)
    page = client.get(link)
    chosen = client.post(
        link, data={"csrf_token": csrf_token(page.text), "new_password": PASSWORD, "confirm": PASSWORD}
    )
    assert chosen.status_code == 302
    assert client.get("/applications").status_code == 200


def test_signing_up_with_a_known_address_answers_the_same_and_mails_the_owner(app, mailbox):
    build_world(app)
    new, known = app.test_client(), app.test_client()
    use_language(new, "en")
    use_language(known, "en")
    first = sign_up(new, "Someone New", "new@example.org")
    second = sign_up(known, "Someone Else", "Candidate1@example.org")
    assert first.status_code == second.status_code == 200
    assert same_page(first.text, second.text)  # nothing tells which address has an account
    mailbox.wait(2)
    (owner_mail,) = mailbox.to("candidate1@example.org")
    assert owner_mail["Subject"] == "Someone tried to sign up with your address"
    with app.app_context():
        owner = db.session.scalar(sa.select(User).where(User.email == "candidate1@example.org"))
        assert owner.name == "Candidate 1"  # nothing changed on the existing account
    # The mail carries a working reset link, and the usual password still works until it is used.
    assert login(app.test_client(), "candidate1@example.org").status_code == 302
    assert app.test_client().get(link_in(owner_mail)).status_code == 200


@pytest.mark.sqlite_only
def test_signing_up_again_before_choosing_a_password_sends_the_welcome_link_again(app, mailbox):
    answers = []
    for name in ("Nina", "Nina again"):
        client = app.test_client()
        use_language(client, "en")
        answers.append(sign_up(client, name, "nina@example.org").status_code)
    assert answers == [200, 200]
    assert [mail["Subject"] for mail in mailbox.wait(2)] == ["Finish creating your lms account"] * 2
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


@pytest.mark.sqlite_only
def test_sign_up_checks_the_name_and_address(app):
    client = app.test_client()
    use_language(client, "en")
    refused = sign_up(client, "", "not an address")
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text


@pytest.mark.sqlite_only
def test_draft_then_submit(app):
    world = build_world(app)
    client = client_for(app, "candidate1@example.org")
    listing = client.get("/intakes")
    assert "MR12202A" in listing.text and "CC0400A" in listing.text
    url = f"/intakes/{world.master_intake}/apply"
    saved = post_form(client, url, data=apply_form(save="1"))
    assert saved.status_code == 303
    application = _application(app, "candidate1@example.org")
    assert application.status is ApplicationStatus.DRAFT and application.submitted_at is None
    assert application.prior_level == 6 and application.current_job == "Developer"
    # The same intake leads back to the draft.
    assert client.get(url).headers["Location"].endswith(f"/applications/{application.id}")
    page_url = f"/applications/{application.id}"
    submitted = post_form(client, page_url, data=apply_form(submit_application="1", current_job="Lead developer"))
    assert submitted.status_code == 303
    application = _application(app, "candidate1@example.org")
    assert application.status is ApplicationStatus.SUBMITTED and application.submitted_at is not None
    assert application.current_job == "Lead developer"
    status = client.get(page_url)
    assert status.status_code == 200 and "Submitted" in status.text
    # A submitted application is no longer editable.
    assert client.post(page_url, data={"csrf_token": csrf_token(status.text), **apply_form()}).status_code == 409
    assert "MR12202A" in client.get("/applications").text


@pytest.mark.sqlite_only
def test_submitting_needs_a_level_and_a_funding(app):
    world = build_world(app)
    client = client_for(app, "candidate1@example.org")
    response = post_form(
        client,
        f"/intakes/{world.master_intake}/apply",
        data=apply_form(prior_level="", funding="", submit_application="1"),
    )
    assert response.status_code == 422
    assert _application(app, "candidate1@example.org") is None  # nothing kept


@pytest.mark.sqlite_only
def test_vapp_is_kept_only_below_the_entry_level(app):
    world = build_world(app)
    client = client_for(app, "candidate1@example.org")
    post_form(
        client, f"/intakes/{world.master_intake}/apply", data=apply_form(prior_level="5", vapp_requested="y", save="1")
    )
    assert _application(app, "candidate1@example.org").vapp_requested is True
    other = client_for(app, "candidate2@example.org")
    post_form(
        other, f"/intakes/{world.master_intake}/apply", data=apply_form(prior_level="7", vapp_requested="y", save="1")
    )
    assert _application(app, "candidate2@example.org").vapp_requested is False


@pytest.mark.sqlite_only
def test_the_queue_flags_a_level_below_entry_without_vapp(app):
    world = build_world(app)
    flagged = submitted_application(app, "candidate1@example.org", world.master_intake, prior_level=5)
    vapp = submitted_application(app, "candidate2@example.org", world.master_intake, prior_level=5, vapp=True)
    fine = submitted_application(app, "candidate3@example.org", world.master_intake, prior_level=7)
    admin = client_for(app, "admin@example.org")
    only_flagged = admin.get(f"/admin/intakes/{world.master_intake}?flagged=yes")
    assert "Candidate 1" in only_flagged.text
    assert "Candidate 2" not in only_flagged.text and "Candidate 3" not in only_flagged.text
    not_flagged = admin.get(f"/admin/intakes/{world.master_intake}?flagged=no")
    assert "Candidate 1" not in not_flagged.text and "Candidate 2" in not_flagged.text
    review = admin.get(f"/admin/intakes/applications/{flagged}")
    assert "below the programme" in review.text
    assert {flagged, vapp, fine}


@pytest.mark.sqlite_only
def test_closed_intake_refuses_applications(app):
    world = build_world(app)
    with app.app_context():
        from datetime import timedelta

        from lms.core.time import utcnow
        from lms.intakes.models import Intake

        intake = db.session.get(Intake, world.certificate_intake)
        intake.applications_open_on = utcnow().date() - timedelta(days=30)
        intake.applications_close_on = utcnow().date() - timedelta(days=1)
        db.session.commit()
    client = client_for(app, "candidate1@example.org")
    assert "CC0400A" not in client.get("/intakes").text
    page = client.get(f"/intakes/{world.certificate_intake}/apply")
    assert "closed" in page.text
    response = client.post(
        f"/intakes/{world.certificate_intake}/apply", data={"csrf_token": csrf_token(page.text), **apply_form(save="1")}
    )
    assert response.status_code == 422
    assert _application(app, "candidate1@example.org") is None


@pytest.mark.sqlite_only
def test_a_candidate_sees_only_their_own_application(app):
    world = build_world(app)
    theirs = submitted_application(app, "candidate1@example.org", world.master_intake)
    other = client_for(app, "candidate2@example.org")
    assert other.get(f"/applications/{theirs}").status_code == 404
    page = other.get("/intakes")
    assert other.post(f"/applications/{theirs}/withdraw", data={"csrf_token": csrf_token(page.text)}).status_code == 404
    # Candidates do not reach the reviewers' pages.
    assert other.get(f"/admin/intakes/{world.master_intake}").status_code == 403
    assert other.get(f"/admin/intakes/applications/{theirs}").status_code == 403
    assert other.get("/admin/intakes/").status_code == 403


@pytest.mark.sqlite_only
def test_withdrawing(app):
    world = build_world(app)
    application_id = submitted_application(app, "candidate1@example.org", world.master_intake)
    client = client_for(app, "candidate1@example.org")
    response = post_form(client, f"/applications/{application_id}", f"/applications/{application_id}/withdraw")
    assert response.status_code == 303
    assert _application(app, "candidate1@example.org").status is ApplicationStatus.WITHDRAWN


@pytest.mark.sqlite_only
def test_a_candidate_home_lists_their_applications(app):
    world = build_world(app)
    client = client_for(app, "candidate1@example.org")
    assert "You have not applied yet" in client.get("/").text
    submitted_application(app, "candidate1@example.org", world.master_intake)
    home = client.get("/")
    assert "MR12202A" in home.text and "Submitted" in home.text
