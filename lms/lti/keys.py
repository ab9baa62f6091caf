"""The tool's RSA key pairs, in the database (every host signs with the same key). Flush only."""

from __future__ import annotations

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.registration import Registration

from lms.extensions import db
from lms.lti.models import LtiKey


def _new_pair() -> tuple[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def create_key() -> LtiKey:
    private_pem, public_pem = _new_pair()
    kid = Registration.get_jwk(public_pem)["kid"]
    key = LtiKey(kid=kid, private_pem=private_pem, public_pem=public_pem, active=True)
    db.session.add(key)
    db.session.flush()
    return key


def signing_key() -> LtiKey:
    """The newest active key, created the first time it is needed."""
    key = db.session.scalar(sa.select(LtiKey).where(LtiKey.active.is_(True)).order_by(LtiKey.id.desc()).limit(1))
    return key or create_key()


def rotate() -> LtiKey:
    """A new signing key; older ones stay published until retired (platforms cache JWKS)."""
    return create_key()


def jwks() -> dict:
    """The tool's public keys (every active one), as platforms fetch them."""
    rows = db.session.scalars(sa.select(LtiKey).where(LtiKey.active.is_(True)).order_by(LtiKey.id))
    return {"keys": [dict(Registration.get_jwk(row.public_pem)) for row in rows]}
