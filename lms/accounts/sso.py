"""Single sign-on through OpenID Connect, the client side (Authlib): the ``OIDC_*`` settings, the
provider's discovery document and keys (fetched over HTTP, cached), the authorization request
(code flow with PKCE, ``state`` and ``nonce`` kept in the session) and the verification of the
answer: the ID token's signature against the provider's JWKS, its issuer, audience, expiry and
nonce. Accounts are found, linked and created by :mod:`lms.accounts.sso_services`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oidc.core import CodeIDToken
from flask import Flask, current_app, session
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from lms.accounts.models import Role
from lms.core.errors import Refusal

log = logging.getLogger(__name__)

EXTENSION = "lms.oidc"
PENDING = "oidc_pending"  # the session's authorization requests waiting for their answer
PENDING_MAX = 5  # a person may start from several tabs; older ones are dropped
PENDING_TTL = 600  # seconds a person has to log in at the provider
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class SSOError(Refusal):
    """A single sign-on that did not succeed. ``reason`` (a short code) goes to the log and the
    audit trail; the message, for people, says what to do."""

    status = 400

    def __init__(self, reason: str, message: Any = None, *, status: int | None = None, detail: str = ""):
        self.reason = reason
        self.detail = detail
        super().__init__(message, status=status)


@dataclass(frozen=True)
class OIDCSettings:
    name: str
    issuer: str
    client_id: str
    client_secret: str | None = None
    discovery_url: str = ""
    scopes: str = "openid email profile"
    create_accounts: bool = False
    link_by_email: bool = False
    role_claim: str | None = None
    role_map: dict[str, frozenset[Role]] = field(default_factory=dict)
    timeout: float = 5.0
    leeway: int = 60
    cache_seconds: int = 3600


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise RuntimeError(f"LMS_{name} must be true or false, not {value!r}")


def _roles(name: str, text: str) -> frozenset[Role]:
    try:
        return frozenset(Role(part.strip()) for part in text.split("+") if part.strip())
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise RuntimeError(f"LMS_{name}: {text!r} is not a role ({known})") from None


def parse_role_map(text: Any) -> dict[str, frozenset[Role]]:
    """``"student=learner,faculty=tutor+director,staff=admin"``: claim value = role(s); a value may
    appear several times. A dict (set in Python) is accepted too."""
    if isinstance(text, dict):
        items = list(text.items())
    else:
        items = []
        for entry in str(text or "").split(","):
            if not entry.strip():
                continue
            value, sep, roles = entry.partition("=")
            if not sep or not value.strip():
                raise RuntimeError(f"LMS_OIDC_ROLE_MAP: {entry.strip()!r} is not claim-value=role")
            items.append((value.strip(), roles))
    mapping: dict[str, frozenset[Role]] = {}
    for value, roles in items:
        parsed = _roles("OIDC_ROLE_MAP", roles if isinstance(roles, str) else "+".join(roles))
        mapping[str(value)] = mapping.get(str(value), frozenset()) | parsed
    return mapping


def configure(app: Flask) -> None:
    """Read the ``OIDC_*`` settings (no I/O): single sign-on is on when ``OIDC_ISSUER`` and
    ``OIDC_CLIENT_ID`` are set. A wrong value stops the app at start with its reason."""
    cfg = app.config
    issuer = (cfg.get("OIDC_ISSUER") or "").strip().rstrip("/")
    client_id = str(cfg.get("OIDC_CLIENT_ID") or "").strip()
    settings = None
    if issuer or client_id:
        if not (issuer and client_id):
            raise RuntimeError("LMS_OIDC_ISSUER and LMS_OIDC_CLIENT_ID must be set together")
        settings = OIDCSettings(
            name=str(cfg.get("OIDC_NAME") or issuer),
            issuer=issuer,
            client_id=client_id,
            client_secret=str(cfg["OIDC_CLIENT_SECRET"]) if cfg.get("OIDC_CLIENT_SECRET") else None,
            discovery_url=cfg.get("OIDC_DISCOVERY_URL") or f"{issuer}/.well-known/openid-configuration",
            scopes=str(cfg.get("OIDC_SCOPES") or "openid email profile"),
            create_accounts=_flag("OIDC_CREATE_ACCOUNTS", cfg.get("OIDC_CREATE_ACCOUNTS")),
            link_by_email=_flag("OIDC_LINK_BY_EMAIL", cfg.get("OIDC_LINK_BY_EMAIL")),
            role_claim=cfg.get("OIDC_ROLE_CLAIM") or None,
            role_map=parse_role_map(cfg.get("OIDC_ROLE_MAP")),
            timeout=float(cfg.get("OIDC_TIMEOUT") or 5),
            leeway=int(cfg.get("OIDC_LEEWAY") or 0),
            cache_seconds=int(cfg.get("OIDC_CACHE_SECONDS") or 0),
        )
        if "openid" not in settings.scopes.split():
            raise RuntimeError("LMS_OIDC_SCOPES must include openid")
        if settings.role_map and not settings.role_claim:
            raise RuntimeError("LMS_OIDC_ROLE_MAP needs LMS_OIDC_ROLE_CLAIM (the claim holding the values)")
    disabled = cfg.get("LOCAL_LOGIN_DISABLED_ROLES") or ()
    if isinstance(disabled, str):
        disabled = _roles("LOCAL_LOGIN_DISABLED_ROLES", disabled.replace(",", "+"))
    else:
        disabled = frozenset(Role(role) for role in disabled)
    if disabled and settings is None:
        raise RuntimeError("LMS_LOCAL_LOGIN_DISABLED_ROLES needs single sign-on (LMS_OIDC_ISSUER)")
    app.extensions[EXTENSION] = settings
    app.extensions[EXTENSION + ".local_disabled"] = frozenset(disabled)


def settings() -> OIDCSettings | None:
    """The settings of single sign-on, or None when it is not configured."""
    return current_app.extensions.get(EXTENSION)


def local_login_disabled(user) -> bool:
    """Whether ``user`` holds a role whose members must log in through single sign-on."""
    return user.has_role(*current_app.extensions.get(EXTENSION + ".local_disabled", ()))


# --- the provider's documents, cached ----------------------------------------------------------

_cache: dict[str, tuple[float, dict]] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every provider's documents (tests; a changed configuration is read at start)."""
    with _cache_lock:
        _cache.clear()


def _fetch_json(url: str, conf: OIDCSettings, force: bool = False) -> dict:
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(url)
    if cached and not force and cached[0] > now:
        return cached[1]
    try:
        response = requests.get(url, timeout=conf.timeout, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SSOError("unreachable", detail=f"{url}: {error}") from error
    if not isinstance(document, dict):
        raise SSOError("unreachable", detail=f"{url}: not a JSON object")
    with _cache_lock:
        _cache[url] = (now + conf.cache_seconds, document)
    return document


def provider_metadata(conf: OIDCSettings) -> dict:
    """The discovery document; its issuer must be the configured one (OpenID Discovery §4.3)."""
    metadata = _fetch_json(conf.discovery_url, conf)
    if metadata.get("issuer", "").rstrip("/") != conf.issuer:
        raise SSOError("discovery", detail=f"issuer {metadata.get('issuer')!r} is not {conf.issuer!r}")
    missing = [key for key in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not metadata.get(key)]
    if missing:
        raise SSOError("discovery", detail=f"no {', '.join(missing)} in the discovery document")
    return metadata


def _client(conf: OIDCSettings, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=conf.client_id,
        client_secret=conf.client_secret,
        scope=conf.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if conf.client_secret else "none",
    )


# --- the authorization request and its answer --------------------------------------------------


def authorization_url(conf: OIDCSettings, redirect_uri: str, next_path: str | None) -> str:
    """The provider's URL to send the browser to; ``state``, ``nonce`` and the PKCE verifier stay
    in this session until the answer comes back (once)."""
    metadata = provider_metadata(conf)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    with _client(conf, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
        )
    now = time.time()
    pending = {key: value for key, value in session.get(PENDING, {}).items() if now - value["at"] < PENDING_TTL}
    pending[state] = {"nonce": nonce, "verifier": verifier, "next": next_path, "at": now}
    session[PENDING] = dict(sorted(pending.items(), key=lambda item: item[1]["at"])[-PENDING_MAX:])
    return url


def complete(conf: OIDCSettings, redirect_uri: str, args) -> tuple[dict, str | None]:
    """Check the provider's answer (the callback's query ``args``), exchange the code and verify
    the ID token. Returns the verified claims (with the UserInfo endpoint's when the ID token
    lacks some) and the page to go to next."""
    pending = dict(session.get(PENDING, {}))
    request_state = pending.pop(args.get("state", ""), None)
    session[PENDING] = pending  # a state is good once: a replayed answer finds nothing
    if request_state is None or time.time() - request_state["at"] >= PENDING_TTL:
        raise SSOError("state", detail="unknown, expired or already used state")
    if args.get("error"):
        raise SSOError("provider_error", detail=f"{args['error']}: {args.get('error_description', '')}")
    if not args.get("code"):
        raise SSOError("token", detail="no code in the answer")
    metadata = provider_metadata(conf)
    try:
        with _client(conf, redirect_uri) as client:
            token = client.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=args["code"],
                code_verifier=request_state["verifier"],
                timeout=conf.timeout,
            )
    except requests.RequestException as error:
        raise SSOError("unreachable", detail=f"token endpoint: {error}") from error
    except (OAuth2Error, ValueError) as error:
        raise SSOError("token", detail=f"token endpoint: {error}") from error
    claims = verify_id_token(conf, metadata, token, request_state["nonce"])
    return _with_userinfo(conf, metadata, token, claims), request_state["next"]


def verify_id_token(conf: OIDCSettings, metadata: dict, token: dict, nonce: str) -> dict:
    """The ID token's claims once its signature (the provider's JWKS), issuer, audience, expiry
    and nonce are checked; refused otherwise, with the reason."""
    if not token.get("id_token"):
        raise SSOError("id_token", detail="no id_token in the token response")
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    registry = JWSRegistry(algorithms=[alg for alg in offered if alg in SIGNING_ALGORITHMS] or ["RS256"])
    try:
        try:
            keys = KeySet.import_key_set(_fetch_json(metadata["jwks_uri"], conf))
            decoded = jwt.decode(token["id_token"], keys, registry=registry)
        except InvalidKeyIdError:  # the provider rotated its keys: fetch them again, once
            keys = KeySet.import_key_set(_fetch_json(metadata["jwks_uri"], conf, force=True))
            decoded = jwt.decode(token["id_token"], keys, registry=registry)
    except BadSignatureError as error:
        raise SSOError("signature", detail=str(error)) from error
    except SSOError:
        raise
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise SSOError("id_token", detail=f"{type(error).__name__}: {error}") from error
    options = {
        "iss": {"essential": True, "value": conf.issuer},
        "aud": {"essential": True, "value": conf.client_id},
        "sub": {"essential": True},
    }
    params = {"nonce": nonce, "client_id": conf.client_id, "access_token": token.get("access_token")}
    claims = CodeIDToken(decoded.claims, decoded.header, options, params)
    try:
        claims.validate(leeway=conf.leeway)
    except ExpiredTokenError as error:
        raise SSOError("expired", detail=str(error)) from error
    except InvalidClaimError as error:
        reason = {"aud": "audience", "iss": "issuer", "nonce": "nonce"}.get(error.claim, "claims")
        raise SSOError(reason, detail=str(error)) from error
    except (MissingClaimError, JoseError) as error:
        raise SSOError("claims", detail=str(error)) from error
    if not nonce or claims.get("nonce") != nonce:  # never skipped, whatever the token says
        raise SSOError("nonce", detail="the nonce is missing or not the one sent")
    return dict(claims)


def _with_userinfo(conf: OIDCSettings, metadata: dict, token: dict, claims: dict) -> dict:
    """Providers may keep the e-mail or the role claim for the UserInfo endpoint: ask it then.
    The ID token's claims win; a UserInfo answer about another subject is ignored."""
    wanted = ["email"] + ([conf.role_claim] if conf.role_claim else [])
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint or all(name in claims for name in wanted) or not token.get("access_token"):
        return claims
    try:
        response = requests.get(
            endpoint, headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=conf.timeout
        )
        response.raise_for_status()
        info = response.json()
    except (requests.RequestException, ValueError) as error:
        log.warning("OIDC userinfo endpoint unusable: %s", error)
        return claims
    if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
        log.warning("OIDC userinfo is about another subject: ignored")
        return claims
    return {**info, **claims}
