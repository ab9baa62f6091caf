"""Behind a reverse proxy (``PROXY_FIX``: how many to trust, off by default): absolute links,
the awards' public verification address and its QR code, use the public URL the proxy was
reached on (X-Forwarded-Host/-Proto); without the setting those headers are ignored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.app import create_app
from lms.core.models import AuditEvent, AuditLog
from lms.extensions import db
from tests.awards.test_certificates import award_both, award_row, decode_qr
from tests.awards.world import DONE, build_world
from tests.conftest import make_app
from tests.helpers import client_for, login

pytestmark = pytest.mark.sqlite_only  # about headers and links, not data

FORWARDED = {"X-Forwarded-Host": "lms.cnam.example", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def proxied(app) -> Iterator[Flask]:
    """Another app instance on the same database, told it sits behind one proxy."""
    second = make_app(app.config["SQLALCHEMY_DATABASE_URI"], PROXY_FIX=1)
    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


def test_verification_links_and_qr_use_the_forwarded_public_url(app, proxied):
    world = build_world(app)
    first, _ = award_both(app, world)
    code = award_row(app, first).verification_code
    client = client_for(proxied, DONE)
    page = client.get(f"/awards/{first}", headers=FORWARDED)
    assert page.status_code == 200
    assert f"https://lms.cnam.example/verify/{code}" in page.text
    pdf = client.get(f"/awards/{first}/certificate.pdf", headers=FORWARDED)
    assert pdf.status_code == 200
    assert decode_qr(pdf.data) == [f"https://lms.cnam.example/verify/{code}"]


def test_without_the_setting_forwarded_headers_are_ignored(app):
    world = build_world(app)
    first, _ = award_both(app, world)
    code = award_row(app, first).verification_code
    page = client_for(app, DONE).get(f"/awards/{first}", headers=FORWARDED)
    assert page.status_code == 200
    assert f"http://localhost/verify/{code}" in page.text and "lms.cnam.example" not in page.text


def test_the_client_address_comes_from_the_proxy_only_when_trusted(app, proxied):
    """The security log (and login throttling) see the client behind the proxy, not the proxy."""
    build_world(app)
    for instance, expected in ((proxied, "203.0.113.9"), (app, "127.0.0.1")):
        client = instance.test_client()
        client.environ_base.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in FORWARDED.items()})
        # Over HTTPS, Flask-WTF checks that a form comes from the same site, as a browser says.
        client.environ_base["HTTP_REFERER"] = "https://lms.cnam.example/login"
        assert login(client, DONE).status_code == 302
        with instance.app_context():
            last = db.session.scalar(
                sa.select(AuditLog).where(AuditLog.event == AuditEvent.LOGIN).order_by(AuditLog.id.desc())
            )
            assert last.ip_address == expected


@pytest.mark.parametrize("value", ["-1", "two", 1.5, True])
def test_a_wrong_setting_is_refused_with_its_reason(value):
    with pytest.raises(RuntimeError, match="LMS_PROXY_FIX must be the number of reverse proxies"):
        create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://", "PROXY_FIX": value})
