"""The school calendar, without a database: an offering's period (semester bounds), the closures
an administrator lists, French public holidays (named in the page's language, from Flask-Babel),
and the days a recurring meeting skips. The generator and the copy of a year both skip days
through :func:`days_to_skip`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from lms.core.i18n import lazy_gettext as _l
from lms.timetable.models import Semester


def semester_bounds(academic_year: int, semester: Semester | str) -> tuple[date, date]:
    """First and last day of a semester of an academic year (2026 = 2026-2027): S1 1 October →
    end of February, S2 1 February → 30 June, annual 1 October → 30 June."""
    semester = Semester(semester)
    following = academic_year + 1
    end_of_february = date(following, 3, 1) - timedelta(days=1)
    if semester == Semester.S1:
        return date(academic_year, 10, 1), end_of_february
    if semester == Semester.S2:
        return date(following, 2, 1), date(following, 6, 30)
    return date(academic_year, 10, 1), date(following, 6, 30)


@dataclass(frozen=True)
class Closure:
    first: date
    last: date
    label: str = ""


_CLOSURE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*\.\.\s*(\d{4}-\d{2}-\d{2}))?(?:\s+(.*))?$")


def parse_closures(text: str) -> tuple[list[Closure], list[str]]:
    """Dates to skip, one per line: ``2026-11-02`` or a range ``2026-12-21..2027-01-03``, each
    optionally followed by a label (``2026-12-21..2027-01-03 Christmas break``). Blank lines and
    lines starting with ``#`` are ignored. Returns the closures and one message per bad line."""
    closures: list[Closure] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _CLOSURE_RE.match(line)
        if not match:
            errors.append(
                str(
                    _l(
                        "Line %(line)d: “%(text)s” is not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD).",
                        line=number,
                        text=line[:60],
                    )
                )
            )
            continue
        try:
            first = date.fromisoformat(match.group(1))
            last = date.fromisoformat(match.group(2)) if match.group(2) else first
        except ValueError:
            errors.append(
                str(
                    _l(
                        "Line %(line)d: “%(text)s” holds a date that does not exist.",
                        line=number,
                        text=line[:60],
                    )
                )
            )
            continue
        if last < first:
            errors.append(str(_l("Line %(line)d: the range ends before it starts.", line=number)))
            continue
        closures.append(Closure(first, last, (match.group(3) or "").strip()))
    return closures, errors


def skip_reasons(
    first: date,
    last: date,
    closures: Iterable[Closure] = (),
    holidays: Mapping[date, str] | None = None,
) -> dict[date, str]:
    """The days between ``first`` and ``last`` to skip, each with why: a public holiday's name or
    the closure's label (listed closures win over holidays)."""
    reasons: dict[date, str] = {}
    for day, name in (holidays or {}).items():
        if first <= day <= last:
            reasons[day] = str(_l("Public holiday: %(name)s", name=name))
    for closure in closures:
        day = max(closure.first, first)
        while day <= min(closure.last, last):
            reasons[day] = (
                str(_l("Closure: %(label)s", label=closure.label)) if closure.label else str(_l("Listed closure"))
            )
            day += timedelta(days=1)
    return reasons


def recurring_dates(
    first: date, last: date, weekday: int, skip: Mapping[date, str] | None = None
) -> tuple[list[date], list[tuple[date, str]]]:
    """Every ``weekday`` (0 = Monday) from ``first`` to ``last`` inclusive, split into the days
    kept and the days skipped (with the reason found in ``skip``)."""
    skip = skip or {}
    if last < first:
        return [], []
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    kept: list[date] = []
    skipped: list[tuple[date, str]] = []
    while day <= last:
        if day in skip:
            skipped.append((day, skip[day]))
        else:
            kept.append(day)
        day += timedelta(weeks=1)
    return kept, skipped


# The languages the ``holidays`` library names French holidays in, by page language.
HOLIDAY_LANGUAGES = {"fr": "fr", "en": "en_US"}


def page_language() -> str:
    """The language of the page being built (``fr`` outside a request: French first)."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "fr"


def french_holidays(first: date, last: date, language: str = "fr") -> dict[date, str]:
    """French public holidays of the calendar years from ``first`` to ``last``, named in
    ``language`` (``fr`` or ``en``; French for any other)."""
    import holidays

    years = range(first.year, last.year + 1)
    return dict(holidays.France(years=years, language=HOLIDAY_LANGUAGES.get(language, "fr")).items())


def days_to_skip(
    first: date,
    last: date,
    closures: Iterable[Closure] = (),
    *,
    skip_holidays: bool = True,
    language: str | None = None,
) -> dict[date, str]:
    """The days between ``first`` and ``last`` on which no meeting is held, each with why: French
    public holidays (unless ``skip_holidays`` is off) and the listed closures. The recurring
    generator and the copy of a year both skip through this one function. Holiday names are in
    ``language`` (the page's by default)."""
    if last < first:
        return {}
    holidays = french_holidays(first, last, language or page_language()) if skip_holidays else {}
    return skip_reasons(first, last, closures, holidays)
