"""Translations looked up once per request: the fast ``gettext`` family of Python code and templates.

Flask-Babel resolves the current translations on every call (the app context's ``g`` through
werkzeug proxies, the locale, a cache key built from it): about 20 µs a call, and a page makes
about a hundred calls (its template's ``_()`` and the lazy labels of forms, navigation and
enums). Here the request's :class:`~babel.support.Translations` are kept beside Flask-Babel's own
per-request state, keyed by the locale object Flask-Babel chose: ``force_locale`` and
``refresh`` change that object, so they are followed exactly as before.

Same messages, same fallbacks as Flask-Babel: outside an app context nothing is translated.
Use these functions instead of Flask-Babel's (``from lms.core.i18n import gettext as _``, and
``lazy_gettext as _l``); :func:`install` gives them to the app's templates.
"""

from __future__ import annotations

from typing import Any

import flask_babel
from babel.support import NullTranslations, Translations
from flask import Flask, g, request
from flask_babel import LazyString
from jinja2 import pass_context
from markupsafe import Markup

__all__ = [
    "current_locale",
    "gettext",
    "install",
    "lazy_gettext",
    "lazy_ngettext",
    "ngettext",
    "pgettext",
    "translations",
]

_NULL = NullTranslations()


def _state() -> Any:
    """Flask-Babel's per-request namespace (``g._flask_babel``), ``None`` outside an app context."""
    try:
        globals_ = g._get_current_object()
    except RuntimeError:
        return None
    state = globals_.__dict__.get("_flask_babel")
    if state is None:
        flask_babel.get_locale()  # creates the namespace and chooses the locale
        state = globals_.__dict__.get("_flask_babel")
    return state


def current_locale():
    """The request's :class:`babel.Locale` (what ``flask_babel.get_locale`` answers), ``None``
    outside an app context."""
    state = _state()
    if state is None:
        return None
    return getattr(state, "babel_locale", None) or flask_babel.get_locale()


def translations() -> NullTranslations:
    """The request's translations, looked up once per request and locale."""
    state = _state()
    if state is None:
        return _NULL
    locale = getattr(state, "babel_locale", None) or flask_babel.get_locale()
    cached = getattr(state, "lms_translations", None)
    if cached is not None and cached[0] is locale:
        return cached[1]
    found = flask_babel.get_translations()
    state.lms_translations = (locale, found)
    return found


def gettext(string: str, **variables: Any) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def pgettext(context: str, string: str, **variables: Any) -> str:
    text = translations().upgettext(context, string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    return LazyString(gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables: Any) -> LazyString:
    return LazyString(ngettext, singular, plural, num, **variables)


class _FormMessages:
    """WTForms' own messages (validators' errors) in the request's locale. Flask-WTF reads its
    catalogue from disk on every request that builds a form; the catalogues are files of the
    installed WTForms, so each process reads each locale's once."""

    catalogues: dict[str, Translations] = {}

    def _catalogue(self) -> NullTranslations:
        locale = current_locale()
        if locale is None:
            return _NULL
        key = str(locale)
        found = self.catalogues.get(key)
        if found is None:
            from wtforms.i18n import messages_path

            found = self.catalogues[key] = Translations.load(messages_path(), [locale], domain="wtforms")
        return found

    def ugettext(self, string: str) -> str:
        return self._catalogue().ugettext(string)

    def ungettext(self, singular: str, plural: str, num: int) -> str:
        return self._catalogue().ungettext(singular, plural, num)


FORM_MESSAGES = _FormMessages()


def _share_form_messages() -> None:
    request.wtforms_translations = FORM_MESSAGES  # where Flask-WTF looks before reading the file


def install(app: Flask) -> None:
    """Templates' ``_()``, ``gettext``, ``ngettext``: the per-request translations (Jinja's i18n
    extension, new style: autoescaping and ``%(name)s`` variables as with Flask-Babel's); forms'
    own messages from :data:`FORM_MESSAGES`. Call it after ``babel.init_app``."""
    app.before_request(_share_form_messages)
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, num: translations().ungettext(singular, plural, num),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, num: translations().unpgettext(context, singular, plural, num),
        newstyle=True,
    )
    # ``_()`` and ``gettext()`` are most of a page's calls: Jinja's alias and new-style wrapper
    # each go through ``Context.call``; these do what they do (escape the message, then fill
    # ``%(name)s``, always, so ``%%`` reads the same) in one step.
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)


@pass_context
def _template_gettext(context: Any, string: str, /, **variables: Any) -> str:
    text = translations().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


@pass_context
def _template_ngettext(context: Any, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables
