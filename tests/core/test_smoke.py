from lms.accounts.models import Role
from tests.helpers import login, make_user


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_admin_logs_in_and_sees_overview(app, client):
    make_user(app, "ada@example.org", [Role.ADMIN])
    response = login(client, "ada@example.org")
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "ada@example.org" not in home.text  # the name is shown, not the e-mail
