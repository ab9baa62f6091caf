"""lms: tracking working adults toward modular diplomas."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request, session
from flask_login import current_user

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
CONFIG_NAMES = ("default", "testing", "production")


def create_app(
    config_name: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    plugins: Iterable[object] = (),
) -> Flask:
    """Build an app: configuration, extensions, plugins, blueprints. No I/O, no migrations.

    ``config_name`` is ``default``, ``testing`` or ``production`` (default: ``$LMS_CONFIG`` or
    ``default``); ``LMS_*`` environment variables override the file; ``overrides`` wins over both.
    ``plugins`` registers extra plugin objects (tests use it).
    """
    from flask_openapi3 import OpenAPI

    from lms.api.spec import API_OPTIONS

    # An OpenAPI app is a Flask app that also collects the API views' description (lms.api).
    app = OpenAPI(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
        **API_OPTIONS,
    )
    _load_config(app, config_name or os.environ.get("LMS_CONFIG", "default"), overrides or {})

    import lms.models  # noqa: F401  (complete mapper registry before anything queries)
    from lms.core import db as core_db
    from lms.core import holdings, i18n, tasks
    from lms.core.access import enforce_access
    from lms.core.error_pages import register_error_handlers
    from lms.core.security import add_security_headers
    from lms.core.transactions import finish_request
    from lms.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
    from lms.plugins.contributions import collect
    from lms.plugins.manager import create_plugin_manager

    db.init_app(app)
    core_db.configure_engine(app)
    core_db.install_append_only_guard()
    holdings.install()
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, default_translation_directories="translations")
    i18n.install(app)  # templates' gettext: the request's translations, looked up once
    bootstrap.init_app(app)

    pm = create_plugin_manager(
        disabled=app.config["DISABLED_PLUGINS"], extra=[*_plugin_modules(app.config["PLUGIN_MODULES"]), *plugins]
    )
    app.extensions["lms.plugins"] = pm
    tasks.init_app(app, collect(pm.hook.lms_tasks(), key=lambda work: work.name))
    pm.hook.lms_load_blueprints(app=app)
    pm.hook.lms_cli(group=app.cli)

    _register_labels(app)
    app.before_request(enforce_access)
    app.after_request(finish_request)
    app.after_request(add_security_headers)
    register_error_handlers(app)
    _trust_proxies(app)
    return app


def _plugin_modules(names: str | Iterable[str]) -> list[object]:
    import importlib

    if isinstance(names, str):
        names = [name.strip() for name in names.split(",") if name.strip()]
    return [importlib.import_module(name) for name in names]


def _trust_proxies(app: Flask) -> None:
    """Behind ``PROXY_FIX`` reverse proxies (``LMS_PROXY_FIX=1``: one), read the client's address,
    scheme, host, port and path prefix from their ``X-Forwarded-*`` headers, so absolute links
    (verification addresses, QR codes, calendar feeds) carry the public URL. Off by default: a
    host reached directly must not believe headers anyone can send."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    setting = app.config.get("PROXY_FIX") or 0
    try:
        proxies = int(setting)
    except (TypeError, ValueError):
        proxies = -1
    if proxies < 0 or isinstance(setting, bool | float):
        raise RuntimeError(f"LMS_PROXY_FIX must be the number of reverse proxies in front of the app, not {setting!r}")
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies, x_prefix=proxies
        )


# The areas whose labels (French/English names of their enums) templates of any area may show.
LABELLED_AREAS = ("catalog", "intakes", "progress", "results", "timetable")


def _register_labels(app: Flask) -> None:
    """Labels are plain data owned by each area; they are registered here, above the areas, so a
    page keeps its words when the area that owns them is disabled (a learner's dashboard shows
    enrolment statuses and credit sources with intakes or results switched off)."""
    import importlib

    for area in LABELLED_AREAS:
        labels = importlib.import_module(f"lms.{area}.labels")
        app.jinja_env.globals.update(labels.TEMPLATE_GLOBALS)
        app.jinja_env.filters.update(getattr(labels, "TEMPLATE_FILTERS", {}))


def ensure_instance_folder(app: Flask) -> Flask:
    """Entry points (``wsgi.py``, ``lms``) call this: the default SQLite file lives in instance/."""
    Path(app.instance_path).mkdir(exist_ok=True)
    return app


def _load_config(app: Flask, config_name: str, overrides: Mapping[str, Any]) -> None:
    if config_name not in CONFIG_NAMES:
        raise RuntimeError(f"LMS_CONFIG must be one of {', '.join(CONFIG_NAMES)}, not {config_name!r}")
    app.config.from_pyfile(str(CONFIG_DIR / "default.py"))
    if config_name != "default":
        app.config.from_pyfile(str(CONFIG_DIR / f"{config_name}.py"))
    app.config.from_prefixed_env("LMS")
    app.config.update(overrides)

    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]  # counted across every host
        # The hosts of one installation share its queue's name: their counters too, nobody else's.
        app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["TASK_QUEUE_NAME"])
    disabled = app.config["DISABLED_PLUGINS"]
    if isinstance(disabled, str):
        app.config["DISABLED_PLUGINS"] = tuple(name.strip() for name in disabled.split(",") if name.strip())
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"] or (
            f"sqlite:///{Path(app.instance_path) / 'lms.sqlite3'}"
        )
    if not app.config["SECRET_KEY"]:
        if config_name == "production":
            raise RuntimeError("LMS_SECRET_KEY must be set in production")
        # Development without a key: sessions last as long as this process.
        import secrets

        app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")


def _select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands, background work: no user, no session
        return app_default_locale()
    if request.path.startswith("/api/") and request.accept_languages:
        # Programs say which language they want with each request.
        asked = request.accept_languages.best_match(languages)
        if asked:
            return asked
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return app_default_locale()


def app_default_locale() -> str:
    from flask import current_app

    return current_app.config["BABEL_DEFAULT_LOCALE"]
