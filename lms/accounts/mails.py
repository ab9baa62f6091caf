"""The accounts area's e-mails: one-time links to choose a password.

They go through the e-mail channel only (a link that opens an account belongs in the mailbox it
was sent to, not in an in-app notification) and leave after the commit, like every e-mail.
"""

from __future__ import annotations

import enum

from flask import url_for

from lms.accounts.models import User
from lms.accounts.tokens import LinkPurpose, lifetime, make_token
from lms.core.i18n import lazy_gettext as _l
from lms.core.i18n import lazy_ngettext as _nl


class LinkMail(enum.StrEnum):
    RESET = "password_reset"  # forgotten password, or reset by an administrator
    WELCOME = "account_welcome"  # an administrator created the account
    SIGNUP = "account_signup"  # the person signed up
    SIGNUP_KNOWN = "signup_known_address"  # someone signed up with an address that has an account


PURPOSE = {
    LinkMail.RESET: LinkPurpose.RESET,
    LinkMail.WELCOME: LinkPurpose.WELCOME,
    LinkMail.SIGNUP: LinkPurpose.WELCOME,
    LinkMail.SIGNUP_KNOWN: LinkPurpose.RESET,
}


def _texts(mail: LinkMail, hours: int):
    within = _nl("The link works once, within %(num)d hour.", "The link works once, within %(num)d hours.", hours)
    if mail is LinkMail.RESET:
        return _l("Choose a new password for lms"), _l(
            "Someone, hopefully you, asked to reset the password of your lms account. Open the link below "
            "to choose a new one. %(within)s If you did not ask for it, ignore this message: your password "
            "stays the same.",
            within=within,
        )
    if mail is LinkMail.WELCOME:
        return _l("Your lms account"), _l(
            "An account has been created for you on lms. Open the link below to choose your password. %(within)s",
            within=within,
        )
    if mail is LinkMail.SIGNUP:
        return _l("Finish creating your lms account"), _l(
            "Welcome to lms. Open the link below to choose your password and finish creating your account. "
            "%(within)s If you did not sign up, ignore this message.",
            within=within,
        )
    return _l("Someone tried to sign up with your address"), _l(
        "Someone tried to create an lms account with your e-mail address, which already has one. If it was "
        "you, log in as usual, or open the link below to choose a new password. %(within)s If it was not "
        "you, ignore this message: nothing has changed.",
        within=within,
    )


def send_password_link(user: User, mail: LinkMail) -> None:
    from lms.notifications.services import notify

    purpose = PURPOSE[mail]
    hours = max(1, int(lifetime(purpose).total_seconds() // 3600))
    title, body = _texts(mail, hours)
    link = url_for("accounts.reset_password", token=make_token(user, purpose))
    notify([user], mail.value, title, body, link, via=("email",))
