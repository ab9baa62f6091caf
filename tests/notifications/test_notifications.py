"""Notifications: in-app rows, e-mail after the commit only, channels contributed by plugins."""

from __future__ import annotations

import socket
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from flask import Config
from flask_babel import lazy_gettext as _l

import lms.app
from lms.accounts.models import Role, User
from lms.extensions import db
from lms.notifications.models import Notification
from lms.notifications.services import notify
from lms.plugins import hookimpl
from tests.conftest import make_app
from tests.helpers import csrf_token, login, make_user


class Sink(MessageHandler):
    """A local SMTP server keeping what it receives."""

    def __init__(self):
        super().__init__()
        self.received = []

    def handle_message(self, message):
        self.received.append(message)


@pytest.fixture
def smtp_sink():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def wait_for(condition, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def user_named(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_in_app_notification_listed_and_marked_read(app, client):
    make_user(app, "l@example.org", [Role.LEARNER])
    with app.app_context():
        notify(
            [user_named("l@example.org")],
            "result_published",
            _l("Result published: %(unit)s", unit="NFA031"),
            "12,50 / 20",
            "/",
        )
        db.session.commit()
    login(client, "l@example.org")
    home = client.get("/").text
    assert "Notifications (1 non lue)" in home
    page = client.get("/notifications/")
    assert "NFA031" in page.text and "12,50 / 20" in page.text
    client.post("/notifications/read", data={"csrf_token": csrf_token(page.text)})
    with app.app_context():
        assert db.session.scalar(sa.select(Notification.read_at)) is not None


@pytest.mark.sqlite_only
def test_email_leaves_after_commit_and_never_after_rollback(database_url, smtp_sink):
    sink, port = smtp_sink
    app = make_app(database_url, SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    make_user(app, "mail@example.org", [Role.LEARNER])
    with app.app_context():
        notify([user_named("mail@example.org")], "test", "Rolled back", "never sent")
        db.session.rollback()
        notify([user_named("mail@example.org")], "test", "Committed", "sent once")
        assert sink.received == []  # nothing before the commit
        db.session.commit()
        assert wait_for(lambda: len(sink.received) == 1)
        mail = sink.received[0]
        assert mail["To"] == "mail@example.org" and mail["Subject"] == "Committed"
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_a_mail_server_down_does_not_break_the_commit(database_url):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app = make_app(database_url, SMTP_HOST="127.0.0.1", SMTP_PORT=closed_port, SMTP_TIMEOUT=1)
    make_user(app, "down@example.org", [Role.LEARNER])
    with app.app_context():
        notify([user_named("down@example.org")], "test", "Hello")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_without_a_mail_server_mails_are_kept_in_the_mail_folder(database_url, tmp_path, caplog):
    """`make run` has no SMTP server: a sign-up link must still reach the person trying it."""
    folder = tmp_path / "mail"
    app = make_app(database_url, MAIL_FOLDER=str(folder), PUBLIC_URL="http://127.0.0.1:5000")
    make_user(app, "dev@example.org", [Role.LEARNER])
    with app.app_context():
        notify([user_named("dev@example.org")], "test", "Rolled back", "never kept", via=("email",))
        db.session.rollback()
        notify([user_named("dev@example.org")], "test", "Kept", "open the link", "/me/", via=("email",))
        assert not folder.exists()  # nothing before the commit
        db.session.commit()
        db.engine.dispose()
    kept = list(folder.glob("*.eml"))
    assert len(kept) == 1
    mail = BytesParser(policy=policy.default).parse(kept[0].open("rb"))
    assert mail["To"] == "dev@example.org" and mail["Subject"] == "Kept"
    assert "http://127.0.0.1:5000/me/" in mail.get_content()
    assert str(kept[0]) in caplog.text


@pytest.mark.parametrize("name", ["testing", "production"])
def test_tests_and_production_keep_no_mail_folder(name):
    config = Config(str(Path(lms.app.__file__).parents[1] / "config"))
    config.from_pyfile("default.py")
    assert config["MAIL_FOLDER"]  # development keeps mails
    config.from_pyfile(f"{name}.py")
    assert config["MAIL_FOLDER"] is None


class RecordingChannel:
    name = "recording"

    def __init__(self):
        self.messages = []

    def deliver(self, message):
        self.messages.append(message)


@pytest.mark.sqlite_only
def test_plugins_add_channels_and_messages_use_each_users_language(database_url):
    channel = RecordingChannel()

    class ChannelPlugin:
        name = "recording-channel"

        @hookimpl
        def lms_notification_channels(self):
            return [channel]

    app = make_app(database_url, plugins=[ChannelPlugin()])
    with app.app_context():
        from lms.accounts import services

        services.create_user("fr@example.org", "Fr", [Role.LEARNER], password="long enough pw", locale="fr")
        services.create_user("en@example.org", "En", [Role.LEARNER], password="long enough pw", locale="en")
        users = [user_named("fr@example.org"), user_named("en@example.org")]
        assert notify(users, "test", _l("Mark all as read")) == 2
        assert [m.title for m in channel.messages] == ["Tout marquer comme lu", "Mark all as read"]
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 2
        db.engine.dispose()
