"""Time helpers: UTC now, and the Cnam academic year (October to June)."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def academic_year(day: date) -> int:
    """The academic year a day falls in, named by its first calendar year (2025 = 2025-2026).

    The Cnam year starts in September: enrolments open before the October semester start.
    """
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(year: int) -> str:
    return f"{year}-{year + 1}"
