"""The tool's side of a request: its configuration (registrations and key pair), the session
marked as LTI-launched, framing by the registered platforms and the session cookie that works in
a cross-site iframe."""

from __future__ import annotations

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

from lms.core.security import allow_framing
from lms.lti import keys, queries
from lms.lti.adapter import DatabaseToolConf

SESSION_MARK = "lti"  # {"platform": id, "context": id or None}


def tool_conf() -> DatabaseToolConf:
    key = keys.signing_key()
    return DatabaseToolConf((key.private_pem, key.public_pem))


def launched() -> bool:
    return bool(session.get(SESSION_MARK))


def frame_for_platforms() -> None:
    """``before_request``: pages of an LTI-launched session may be framed by the platforms."""
    if launched():
        allow_framing(queries.platform_origins())


class LtiSessionInterface(SecureCookieSessionInterface):
    """The session cookie of an LTI-launched session is ``SameSite=None; Secure; Partitioned``
    (sent inside the platform's cross-site iframe); other sessions keep the configured ``Lax``."""

    def _lti(self) -> bool:
        try:
            return launched()
        except RuntimeError:
            return False

    def get_cookie_samesite(self, app: Flask):
        return "None" if self._lti() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return True if self._lti() else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return True if self._lti() else super().get_cookie_partitioned(app)


def install(app: Flask) -> None:
    app.session_interface = LtiSessionInterface()
    app.before_request(frame_for_platforms)
