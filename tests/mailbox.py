"""A real SMTP server on loopback that keeps what the app sends, for tests of e-mailed links.

Use the ``mailbox`` fixture by importing it into a test module (``from tests.mailbox import
mailbox``); it points the ``app`` fixture's e-mail channel at the server.
"""

from __future__ import annotations

import re
import socket
import time
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler

LINK = re.compile(r"https?://\S+?(/password/reset/[A-Za-z0-9_.\-]+)")


class Mailbox(MessageHandler):
    def __init__(self):
        super().__init__()
        self.received: list[Message] = []

    def handle_message(self, message: Message) -> None:
        self.received.append(message)

    def wait(self, count: int = 1, seconds: float = 3.0) -> list[Message]:
        """The first ``count`` messages, once they have arrived (sending happens after the commit)."""
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.received) >= count, f"expected {count} e-mails, got {len(self.received)}"
        return self.received[:count]

    def wait_for(self, address: str, count: int = 1, seconds: float = 3.0) -> list[Message]:
        """The first ``count`` messages to ``address``, once they have arrived."""
        deadline = time.monotonic() + seconds
        while len(self.to(address)) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        found = self.to(address)
        assert len(found) >= count, f"expected {count} e-mails to {address}, got {len(found)}"
        return found[:count]

    def to(self, address: str) -> list[Message]:
        return [mail for mail in self.received if mail["To"] == address]


def body(mail: Message) -> str:
    payload = mail.get_payload(decode=True)
    return payload.decode(mail.get_content_charset() or "utf-8") if isinstance(payload, bytes) else str(payload)


def link_in(mail: Message) -> str:
    """The path of the one-time link a mail carries."""
    match = LINK.search(body(mail))
    assert match, f"no password link in: {body(mail)!r}"
    return match.group(1)


@pytest.fixture
def mailbox(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    try:
        yield handler
    finally:
        controller.stop()
