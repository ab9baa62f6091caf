"""The request's translations looked up once (lms.core.i18n) say what Flask-Babel says, and follow
``force_locale`` and ``refresh`` as it does."""

from __future__ import annotations

import flask_babel
import pytest
from flask import render_template_string
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from lms.core import i18n


@pytest.mark.sqlite_only
def test_same_words_as_flask_babel_and_forced_locales_followed(app):
    with app.test_request_context():
        assert i18n.gettext("Log out") == flask_babel.gettext("Log out") == "Se déconnecter"
        assert i18n.translations() is i18n.translations()  # looked up once
        with force_locale("en"):
            assert i18n.gettext("Log out") == "Log out"
            assert str(i18n.current_locale()) == "en"
            assert render_template_string("{{ _('Log out') }}") == "Log out"
        assert i18n.gettext("Log out") == "Se déconnecter"
        assert render_template_string("{{ _('Log out') }}") == "Se déconnecter"
        assert i18n.ngettext("%(num)d unread", "%(num)d unread", 2) == flask_babel.ngettext(
            "%(num)d unread", "%(num)d unread", 2
        )
        assert str(i18n.lazy_gettext("Log out")) == "Se déconnecter"
        flask_babel.refresh()
        assert i18n.gettext("Log out") == "Se déconnecter"


def test_nothing_translated_outside_an_app_context():
    assert i18n.gettext("Log out") == "Log out"
    assert i18n.current_locale() is None
    assert i18n.ngettext("%(num)d item", "%(num)d items", 2) == "2 items"


@pytest.mark.sqlite_only
def test_templates_escape_and_fill_variables(app):
    with app.test_request_context(), force_locale("en"):
        shown = render_template_string("{{ _('%(name)s', name='<b>') }}")
        assert shown == "&lt;b&gt;"
        assert (
            render_template_string("{{ _('100%%') }} {{ gettext('<i>') }}") == "100% <i>"
        )  # the message is trusted, its variables escaped
        assert render_template_string("{{ ngettext('%(num)d item', '%(num)d items', 3) }}") == "3 items"


class _Form(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(validators=[DataRequired()])


@pytest.mark.sqlite_only
def test_form_messages_in_the_request_locale(app):
    with app.test_request_context(method="POST", data={}):
        app.preprocess_request()
        form = _Form()
        assert not form.validate()
        french = form.name.errors[0]
        with force_locale("en"):
            form = _Form()
            form.validate()
            assert form.name.errors == ["This field is required."]
    assert french != "This field is required." and "champ" in french.lower()
