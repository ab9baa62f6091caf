"""An LTI launch in a real Chromium: the simulated platform (on localhost, another site than lms on
127.0.0.1) frames lms; login initiation, the platform's form post of the id_token, and the
learner's progress shown inside the cross-site iframe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from lms.extensions import db, limiter
from lms.lti import keys, services
from tests.conftest import make_app
from tests.e2e.conftest import LiveServer
from tests.e2e.support import DEMO_ACCOUNTS
from tests.fixtures.lti_platform import lti_platform_elsewhere  # noqa: F401  (a fixture)


@pytest.fixture
def lti_server(templates, tmp_path, lti_platform_elsewhere) -> Iterator[str]:  # noqa: F811
    url = templates.copy("sqlite", "demo", tmp_path)
    app = make_app(url)
    with app.app_context():
        limiter.reset()
        services.add_platform(**lti_platform_elsewhere.registration(), match_by="email")
        keys.signing_key()
        db.session.commit()
    server = LiveServer(app)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_learner_launched_from_the_platform_sees_their_progress(page, lti_server, lti_platform_elsewhere):  # noqa: F811
    platform = lti_platform_elsewhere
    target = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
    platform.launch_claims = {"email": DEMO_ACCOUNTS["learner"], "name": "Camille Dupont", target: f"{lti_server}/me/"}
    page.goto(f"{platform.issuer}/course?tool={lti_server}")
    frame = page.frame_locator("iframe[title=lms]")
    expect(frame.locator("main").get_by_role("heading", level=1)).to_be_visible(timeout=15000)
    assert platform.hits.get("/auth") == 1
    inner = next(f for f in page.frames if f.url.startswith(lti_server))
    assert inner.url.startswith(f"{lti_server}/me")
