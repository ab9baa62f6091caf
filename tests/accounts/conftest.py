"""Fixtures of the accounts tests."""

from tests.mailbox import mailbox  # noqa: F401  (a fixture: the e-mails the app sends)
