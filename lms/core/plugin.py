"""Core: home page, health check, the page chrome and the number filters of the templates."""

from __future__ import annotations

from babel.numbers import format_decimal, parse_pattern
from flask import Flask
from flask_babel import format_datetime

from lms.core.i18n import current_locale
from lms.core.i18n import lazy_gettext as _l
from lms.core.time import academic_year_label
from lms.plugins import hookimpl
from lms.plugins.contributions import NavItem


@hookimpl
def lms_load_blueprints(app: Flask) -> None:
    from lms.core import navigation
    from lms.core.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        nav_items=navigation.nav_items,
        nav_bar=navigation.nav_bar,
        has_endpoint=navigation.has_endpoint,
        get_locale=current_locale,
    )
    app.jinja_env.filters["ects"] = format_ects
    app.jinja_env.filters["grade"] = format_grade
    app.jinja_env.filters["academic_year"] = academic_year_label
    app.jinja_env.filters["moment"] = format_moment


@hookimpl
def lms_cli(group) -> None:
    from lms.core.cli import storage, worker_command

    group.add_command(storage)
    group.add_command(worker_command)


@hookimpl
def lms_tasks() -> list:
    from lms.core.jobs import resume_stalled_jobs
    from lms.core.uploads import purge_abandoned_uploads

    return [resume_stalled_jobs, purge_abandoned_uploads]


@hookimpl
def lms_nav_items(user) -> list[NavItem]:
    return [NavItem(_l("Home"), "core.home", order=0)]


# parsed once: Babel parses a pattern given as text on every call
ECTS_PATTERN = parse_pattern("#,##0.#")
GRADE_PATTERN = parse_pattern("#0.00")


def format_ects(value) -> str:
    """ECTS in the reader's locale: 6 → "6", 4.5 → "4,5" in French."""
    if value is None:
        return "—"
    return format_decimal(value, format=ECTS_PATTERN, locale=current_locale())


def format_grade(value) -> str:
    """A grade /20 with two decimals in the reader's locale: 11.5 → "11,50" in French."""
    if value is None:
        return "—"
    return format_decimal(value, format=GRADE_PATTERN, locale=current_locale())


def format_moment(value, format: str = "short") -> str:
    """A stored moment (UTC; naive ones, as SQLite gives them back, are UTC too) as the reader's
    wall-clock time: in the time zone Flask-Babel selects (``BABEL_DEFAULT_TIMEZONE``, the
    institution's, Europe/Paris by default) and the reader's locale: "01/07/2026 14:00" in French.
    The one filter (``|moment``) for the moments of history pages."""
    if value is None:
        return "—"
    return format_datetime(value, format)
