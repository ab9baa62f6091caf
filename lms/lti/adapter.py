"""Our adapter over pylti1p3next: nothing else in lms imports ``pylti1p3``.

- :class:`DatabaseToolConf` finds registrations and deployments in ``lti_platforms``;
- :class:`DatabaseStorage` keeps the launch data (state parameters, nonces, launches) in
  ``lti_states``, shared by every host; a nonce is good once (the row is deleted when checked);
- :class:`CrossSiteCookies` sets the library's state cookies ``SameSite=None; Secure; Partitioned``
  whatever the scheme (browsers accept ``Secure`` cookies from loopback over http, see README);
- :class:`Launch` verifies the ``id_token``: signature against the platform's JWKS, issuer (the
  registration), audience (our client id), expiry, deployment id registered, nonce once.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import jwt as pyjwt
import sqlalchemy as sa
from pylti1p3.contrib.flask import (
    FlaskCookieService,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
    FlaskServiceConnector,
    FlaskSessionService,
)
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from lms.core.time import utcnow
from lms.extensions import db
from lms.lti.models import LtiDeployment, LtiPlatform, LtiState

LEEWAY = 30  # seconds of clock difference accepted on iat/exp
LAUNCH_LIFETIME = 3600  # a validated launch is kept this long (deep linking answers it later)

__all__ = ["DeepLinkResource", "LtiError", "OIDCException", "LtiException"]


class LtiError(Exception):
    """A launch refused: ``reason`` (a short code) for the log and the tests."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


def _key_hash(key: str) -> str:
    return key if len(key) <= 200 else key[:100] + hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(LaunchDataStorage):
    """pylti1p3's launch data storage in the database (flushed with the request's transaction)."""

    def can_set_keys_expiration(self) -> bool:
        return True

    def _row(self, key: str) -> LtiState | None:
        row = db.session.get(LtiState, _key_hash(self._prepare_key(key)))
        return row if row is not None and row.expires_at > utcnow() else None

    def get_value(self, key: str) -> Any:
        row = self._row(key)
        return row.value if row is not None else None

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        name = _key_hash(self._prepare_key(key))
        expires = utcnow() + timedelta(seconds=exp or LAUNCH_LIFETIME)
        row = db.session.get(LtiState, name)
        if row is None:
            db.session.add(LtiState(key=name, value=value, expires_at=expires))
        else:
            row.value, row.expires_at = value, expires
        db.session.flush()

    def check_value(self, key: str) -> bool:
        return self._row(key) is not None

    def consume(self, key: str) -> bool:
        """Delete ``key``; whether it was there and unexpired (one request only wins)."""
        name = _key_hash(self._prepare_key(key))
        deleted = db.session.execute(
            sa.delete(LtiState).where(LtiState.key == name, LtiState.expires_at > utcnow())
        ).rowcount
        return deleted == 1


class OnceSessionService(FlaskSessionService):
    """Nonces are checked once: a replayed ``id_token`` finds nothing."""

    def check_nonce(self, nonce: str) -> bool:
        storage = self.data_storage
        key = self._get_key("nonce", nonce)
        if isinstance(storage, DatabaseStorage):
            return storage.consume(key)
        return False


class CrossSiteCookies(FlaskCookieService):
    def update_response(self, response):
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key=key,
                value=data["value"],
                max_age=data["exp"],
                secure=True,
                httponly=True,
                path="/",
                samesite="None",
                partitioned=True,
            )


def registration_of(platform: LtiPlatform, private_pem: str, public_pem: str) -> Registration:
    return (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.key_set_url)
        .set_auth_audience(platform.auth_audience or platform.auth_token_url)
        .set_tool_private_key(private_pem)
        .set_tool_public_key(public_pem)
    )


class DatabaseToolConf(ToolConfAbstract):
    """Registrations from ``lti_platforms``; the tool's key pair from ``keys``."""

    def __init__(self, key_pair: tuple[str, str]):
        super().__init__()
        self.key_pair = key_pair
        self.platform: LtiPlatform | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _platform(self, iss: str, client_id: str | None) -> LtiPlatform | None:
        query = sa.select(LtiPlatform).where(LtiPlatform.issuer == iss)
        if client_id:
            query = query.where(LtiPlatform.client_id == client_id)
        found = list(db.session.scalars(query.limit(2)))
        return found[0] if len(found) == 1 else None  # several clients: the client id must say which

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration | None:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss: str, client_id: str | None, *args, **kwargs) -> Registration | None:
        platform = self._platform(iss, client_id)
        if platform is None:
            return None
        self.platform = platform
        return registration_of(platform, *self.key_pair)

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str | None, *a, **k):
        platform = self._platform(iss, client_id)
        if platform is None or not deployment_id:
            return None
        known = db.session.scalar(
            sa.select(LtiDeployment.id).where(
                LtiDeployment.platform_id == platform.id, LtiDeployment.deployment_id == deployment_id
            )
        )
        return Deployment().set_deployment_id(deployment_id) if known else None


def _flask_request(data: dict | None = None) -> FlaskRequest:
    return FlaskRequest(request_data=data) if data else FlaskRequest()


def login_redirect(conf: DatabaseToolConf, launch_url: str, params: dict):
    """The OIDC login initiation's answer: a redirect to the platform's authorization URL, with
    state (a cross-site cookie) and nonce (in the database)."""
    request = _flask_request(params)
    login = FlaskOIDCLogin(
        request,
        conf,
        session_service=OnceSessionService(request),
        cookie_service=CrossSiteCookies(request),
        launch_data_storage=DatabaseStorage(),
    )
    return login.redirect(launch_url)


class Launch(FlaskMessageLaunch):
    def validate_jwt_signature(self):
        public_key, alg = self.get_public_key()
        try:
            pyjwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=[alg],
                audience=self._registration.get_client_id(),
                issuer=self._registration.get_issuer(),
                leeway=LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
        except pyjwt.ExpiredSignatureError as error:
            raise LtiError("expired", str(error)) from error
        except pyjwt.InvalidSignatureError as error:
            raise LtiError("signature", str(error)) from error
        except pyjwt.InvalidTokenError as error:
            raise LtiError("id_token", str(error)) from error
        return self


REASONS = (
    ("Invalid Nonce", "nonce"),
    ("State not found", "state"),
    ("Missing state", "state"),
    ("deployment ID", "deployment"),
    ("Registration not found", "registration"),
    ("Client id not registered", "registration"),
    ("public key", "signature"),
    ("Unable to find public key", "signature"),
)


def _reason(error: Exception) -> str:
    text = str(error)
    for fragment, reason in REASONS:
        if fragment in text:
            return reason
    return "launch"


def verified_launch(conf: DatabaseToolConf) -> tuple[Launch, dict]:
    """The launch of this request once verified, and its claims; :class:`LtiError` otherwise."""
    request = _flask_request()
    try:
        launch = Launch(
            request,
            conf,
            session_service=OnceSessionService(request),
            cookie_service=CrossSiteCookies(request),
            launch_data_storage=DatabaseStorage(),
            service_connector_cls=FlaskServiceConnector,
        )
        claims = launch.get_launch_data()
    except LtiError:
        raise
    except (LtiException, AssertionError, KeyError, TypeError, ValueError) as error:
        raise LtiError(_reason(error), str(error)) from error
    return launch, dict(claims)


def cached_launch(conf: DatabaseToolConf, launch_id: str) -> Launch:
    request = _flask_request()
    storage = DatabaseStorage()
    try:
        return Launch.from_cache(
            launch_id,
            request,
            conf,
            session_service=OnceSessionService(request),
            cookie_service=CrossSiteCookies(request),
            launch_data_storage=storage,
        )
    except (LtiException, AssertionError, KeyError, TypeError) as error:
        raise LtiError("launch_expired", str(error)) from error


def deep_link_response(launch: Launch, items: list[tuple[str, str]]) -> tuple[str, str]:
    """The signed deep-linking response JWT for ``items`` (title, absolute URL), and the
    platform's return URL it must be posted to."""
    resources = [DeepLinkResource().set_url(url).set_title(title) for title, url in items]
    deep_link = launch.get_deep_link()
    settings = launch.get_launch_data()["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
    return deep_link.get_response_jwt(resources), settings["deep_link_return_url"]


def course_members(registration: Registration, memberships_url: str) -> list[dict]:
    """The course's members from the platform's Names and Roles service (every page), with an
    access token obtained by a client-credentials JWT assertion signed with the tool's key."""
    connector = FlaskServiceConnector(registration)
    service = NamesRolesProvisioningService(connector, {"context_memberships_url": memberships_url})
    try:
        return list(service.get_members())
    except (LtiException, ValueError, KeyError) as error:
        raise LtiError("nrps", str(error)) from error
