"""Account writes: users, roles, passwords, login sessions. Services flush, never commit."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.accounts import mails, sso, tokens
from lms.accounts.mails import LinkMail
from lms.accounts.models import AuthSession, Learner, Role, User, UserRole
from lms.accounts.passwords import hash_password, needs_rehash, verify_password
from lms.core.audit import record_event
from lms.core.errors import Refusal
from lms.core.i18n import gettext as _
from lms.core.models import AuditEvent
from lms.core.time import utcnow
from lms.extensions import db

_SEEN_RESOLUTION = timedelta(minutes=1)


class AccountError(Refusal):
    """A rule about accounts was broken; the message is for people. ``field`` names the form field."""

    status = 422


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_policy(password: str, email: str | None = None) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise AccountError(_("The password is too short: at least %(n)d characters.", n=minimum), "new_password")
    if email and password.strip().lower() == normalise_email(email):
        raise AccountError(_("The password must not be your e-mail address."), "new_password")


def create_user(
    email: str,
    name: str,
    roles: Iterable[Role],
    password: str | None = None,
    password_hash: str | None = None,
    locale: str = "fr",
    learner_number: str | None = None,
    actor_id: int | None = None,
) -> User:
    """Create a user with ``roles``; a learner gets a learner profile (number generated if absent)."""
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError(_("A user with the e-mail address %(email)s already exists.", email=email), "email")
    if password is not None:
        check_password_policy(password, email)
        password_hash = hash_password(password)
    now = utcnow()
    user = User(email=email, name=name.strip(), password_hash=password_hash, locale=locale)
    user.role_rows = [UserRole(role=Role(role), granted_at=now) for role in sorted(set(roles))]
    db.session.add(user)
    if Role.LEARNER in user.roles:
        db.session.add(Learner(user=user, learner_number=learner_number or next_learner_number()))
    db.session.flush()
    record_event(AuditEvent.USER_CREATED, user_id=actor_id, details={"user": user.id, "roles": sorted(user.roles)})
    return user


def next_learner_number() -> str:
    """Numbers look like the Cnam's: 6 digits and a check letter, e.g. ``100234X``."""
    count = db.session.scalar(sa.select(sa.func.count(Learner.id))) or 0
    while True:
        number = 100000 + count
        candidate = f"{number}{'ABCDEFGHJKLMNPRSTUVWXYZ'[number % 23]}"
        if db.session.scalar(sa.select(Learner.id).where(Learner.learner_number == candidate)) is None:
            return candidate
        count += 1


def grant_role(user: User, role: Role, actor_id: int | None = None) -> None:
    if role in user.roles:
        return
    user.role_rows.append(UserRole(role=role, granted_at=utcnow()))
    if role is Role.LEARNER and user.learner is None:
        db.session.add(Learner(user=user, learner_number=next_learner_number()))
    db.session.flush()
    record_event(AuditEvent.ROLE_GRANTED, user_id=actor_id, details={"user": user.id, "role": role.value})


def revoke_role(user: User, role: Role, actor_id: int | None = None) -> None:
    """Take ``role`` away (a learner keeps their profile and records). Nobody removes their own
    administrator role: an administration cannot lock itself out by mistake."""
    row = next((row for row in user.role_rows if row.role is role), None)
    if row is None:
        return
    if role is Role.ADMIN and user.id == actor_id:
        raise AccountError(_("You cannot remove your own administrator role."), "roles")
    user.role_rows.remove(row)
    db.session.flush()
    record_event(AuditEvent.ROLE_REVOKED, user_id=actor_id, details={"user": user.id, "role": role.value})


def set_roles(user: User, roles: Iterable[Role], actor_id: int | None = None) -> None:
    """Grant and revoke so that ``user`` holds exactly ``roles``."""
    wanted = frozenset(Role(role) for role in roles)
    if Role.ADMIN in user.roles - wanted and user.id == actor_id:
        raise AccountError(_("You cannot remove your own administrator role."), "roles")
    for role in sorted(user.roles - wanted):
        revoke_role(user, role, actor_id)
    for role in sorted(wanted - user.roles):
        grant_role(user, role, actor_id)


def set_active(user: User, active: bool, actor_id: int | None = None) -> None:
    """Deactivate (never delete: records, grades and awards keep their author) or reactivate.
    A deactivated account cannot log in and its sessions end at once."""
    if not active and user.id == actor_id:
        raise AccountError(_("You cannot deactivate your own account."))
    if user.active == active:
        return
    user.active = active
    if not active:
        end_sessions(user)
    event = AuditEvent.USER_REACTIVATED if active else AuditEvent.USER_DEACTIVATED
    record_event(event, user_id=actor_id, details={"user": user.id})


def end_sessions(user: User, keep_session_key: str | None = None) -> None:
    query = sa.delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep_session_key:
        query = query.where(AuthSession.key_hash != session_key_hash(keep_session_key))
    db.session.execute(query)


# --- one-time password links ------------------------------------------------------------------------


def user_with_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def send_password_link(user: User, mail: LinkMail, actor_id: int | None = None) -> None:
    """E-mail ``user`` a one-time link to choose a password (after the commit)."""
    mails.send_password_link(user, mail)
    record_event(AuditEvent.PASSWORD_LINK_SENT, user_id=actor_id, details={"user": user.id, "mail": mail.value})


def create_account(
    email: str, name: str, roles: Iterable[Role], locale: str = "fr", actor_id: int | None = None
) -> User:
    """An administrator creates an account: no password is typed, the person chooses theirs from
    the link mailed to them."""
    user = create_user(email, name, roles, locale=locale, actor_id=actor_id)
    send_password_link(user, LinkMail.WELCOME, actor_id)
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link to the active account with this address, else do nothing: the caller
    answers the same either way, so nobody learns which addresses have an account."""
    user = user_with_email(email)
    if user is not None and user.active and not sso.local_login_disabled(user):  # SSO only: no password
        send_password_link(user, LinkMail.RESET)


def sign_up(email: str, name: str, locale: str = "fr") -> User | None:
    """A person creates their own account (no role): they choose their password from the mailed
    link, which proves the address is theirs. An address that already has an account gets a mail
    saying so, with a reset link, and nothing else happens (None): the answer is the same."""
    existing = user_with_email(email)
    if existing is not None:
        if existing.active:
            # Signed up before without choosing a password yet: the same welcome link again.
            send_password_link(existing, LinkMail.SIGNUP_KNOWN if existing.password_hash else LinkMail.SIGNUP)
        return None
    user = create_user(email, name, [], locale=locale)
    send_password_link(user, LinkMail.SIGNUP)
    return user


def link_is_valid(token: str) -> bool:
    return tokens.user_for_token(token) is not None


def set_password_from_link(token: str, new: str) -> User:
    """Set the password of the account a one-time link opens; the link dies, every session ends."""
    found = tokens.user_for_token(token)
    if found is None:
        raise AccountError(_("This link has expired or has already been used. Ask for a new one."))
    user, purpose = found
    if sso.local_login_disabled(user):
        raise AccountError(
            _("Your account logs in through %(name)s only: it has no password.", name=sso.settings().name)
        )
    check_password_policy(new, user.email)
    user.password_hash = hash_password(new)
    end_sessions(user)
    record_event(AuditEvent.PASSWORD_RESET, user_id=user.id, details={"link": purpose.value})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, rehashing the password if parameters changed."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def change_password(user: User, current: str, new: str, keep_session_key: str | None) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError(_("The current password is wrong."), "current_password")
    check_password_policy(new, user.email)
    user.password_hash = hash_password(new)
    # Every other session of this user ends: a stolen session does not survive a password change.
    end_sessions(user, keep_session_key)
    record_event(AuditEvent.PASSWORD_CHANGED, user_id=user.id)


def session_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(user: User, ip_address: str | None, user_agent: str | None) -> str:
    """Start a login session; returns the random key to keep in the cookie."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        AuthSession(
            key_hash=session_key_hash(key),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    user.last_login_at = now
    db.session.flush()
    return key


def close_session(key: str) -> None:
    db.session.execute(sa.delete(AuthSession).where(AuthSession.key_hash == session_key_hash(key)))


def load_session_user(key: str) -> User | None:
    """The user of a live session key, or None when it ended, expired or the user is disabled."""
    row = db.session.execute(
        sa.select(AuthSession, User).join(User).where(AuthSession.key_hash == session_key_hash(key))
    ).first()
    if row is None:
        return None
    auth_session, user = row
    now = utcnow()
    cfg = current_app.config
    expired = (
        now - auth_session.created_at > cfg["PERMANENT_SESSION_LIFETIME"]
        or now - auth_session.last_seen_at > cfg["SESSION_IDLE_TIMEOUT"]
    )
    if expired or not user.active:
        db.session.delete(auth_session)
        return None
    if now - auth_session.last_seen_at > _SEEN_RESOLUTION:
        auth_session.last_seen_at = now  # written at most once a minute per session
    user.session_key = key
    return user


def purge_expired_sessions(now: datetime | None = None) -> int:
    now = now or utcnow()
    cutoff = now - current_app.config["PERMANENT_SESSION_LIFETIME"]
    return db.session.execute(sa.delete(AuthSession).where(AuthSession.created_at < cutoff)).rowcount
