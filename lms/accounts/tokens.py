"""One-time links to choose a password: signed, expiring, and dead once used.

The token is signed with the app's secret (itsdangerous) and carries a fingerprint of the account's
e-mail address and password hash. Setting a password changes the hash, so every link issued
before dies with its first use, and a link also dies when the password changes some other way.
Nothing is stored.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes

from lms.accounts.models import User
from lms.core.time import utcnow
from lms.extensions import db

_SALT = "lms.accounts.password-link"


class LinkPurpose(enum.StrEnum):
    RESET = "reset"  # forgotten password, reset by an administrator, sign-up with a known address
    WELCOME = "welcome"  # a new account chooses its first password


def lifetime(purpose: LinkPurpose) -> timedelta:
    config = current_app.config
    return config["PASSWORD_RESET_MAX_AGE"] if purpose is LinkPurpose.RESET else config["ACCOUNT_WELCOME_MAX_AGE"]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    state = f"{user.id}\0{user.email}\0{user.password_hash or ''}".encode()
    return hmac.new(want_bytes(current_app.config["SECRET_KEY"]), state, hashlib.sha256).hexdigest()[:32]


def make_token(user: User, purpose: LinkPurpose) -> str:
    return _serializer().dumps({"u": user.id, "p": purpose.value, "f": _fingerprint(user)})


def user_for_token(token: str) -> tuple[User, LinkPurpose] | None:
    """The active account a still valid token opens, with the token's purpose; None otherwise."""
    longest = max(lifetime(purpose) for purpose in LinkPurpose)
    try:
        payload, signed_at = _serializer().loads(token, max_age=int(longest.total_seconds()), return_timestamp=True)
        purpose = LinkPurpose(payload["p"])
        user_id = int(payload["u"])
        fingerprint = str(payload["f"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    if utcnow() - signed_at > lifetime(purpose):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not hmac.compare_digest(fingerprint, _fingerprint(user)):
        return None
    return user, purpose
