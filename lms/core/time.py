"""Time helpers: UTC now, the Cnam academic year (October to June), local times, and dates for
messages written later in their reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def utcnow() -> datetime:
    return datetime.now(UTC)


def academic_year(day: date) -> int:
    """The academic year a day falls in, named by its first calendar year (2025 = 2025-2026).

    The Cnam year starts in September: enrolments open before the October semester start.
    """
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(year: int) -> str:
    return f"{year}-{year + 1}"


def local_time(moment: datetime, timezone: str) -> datetime:
    """A stored UTC moment as the wall-clock time of a centre (``Europe/Paris``, ``America/Cayenne``...)."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(timezone))


def utc_moment(day: date, wall_clock: time, timezone: str) -> datetime:
    """The UTC moment of a wall-clock time on a day at a centre (daylight saving applied)."""
    from zoneinfo import ZoneInfo

    return datetime.combine(day, wall_clock, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def lazy_date(day: date, format: str = "long"):
    """``day`` for a message made later for its reader (a notification: each recipient's language,
    see :func:`lms.notifications.services.notify`): a lazy string, formatted by Flask-Babel's
    ``format_date`` in the locale in force when it is turned into text ("1 juillet 2026")."""
    from flask_babel import LazyString, format_date

    return LazyString(format_date, day, format)
