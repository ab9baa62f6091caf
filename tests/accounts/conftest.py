"""Fixtures of the accounts tests."""

from tests.fixtures.oidc_provider import oidc_provider  # noqa: F401  (a fixture: the test identity provider)
from tests.mailbox import mailbox  # noqa: F401  (a fixture: the e-mails the app sends)
