"""Spreadsheet-safe exports. A cell that starts with =, +, -, @, a tab or a carriage return would
run as a formula when the file is opened in a spreadsheet (CSV injection): it is written with a
leading apostrophe, which spreadsheets show as text.

XLSX cells (:func:`xlsx_cell`) stay typed: a :class:`Rate` (a fraction such as 0.667) is shown as a
percentage (66.7 %), dates and moments as real dates in the reader's own short-date format."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PERCENT_FORMAT = "0.0%"
# Excel's built-in formats 14 and 22: every spreadsheet shows them in its reader's regional
# short-date style (30/06/2026 in French, 6/30/2026 in US English).
DATE_FORMAT = "mm-dd-yy"
DATETIME_FORMAT = "m/d/yy h:mm"


@dataclass(frozen=True)
class Rate:
    """A fraction (``Decimal("0.667")``) that an export shows as a percentage; ``None``: no rate."""

    value: Decimal | float | None


def neutralise(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_download(header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """A CSV file as French spreadsheets open it: UTF-8 with a BOM, semicolons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A write-only openpyxl cell for ``value``: numbers, dates and rates typed and formatted, text
    neutralised (and stripped of the control characters XLSX cannot hold). Moments with a time zone
    are written as UTC wall-clock times: spreadsheets have no time zones."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    number_format = None
    if isinstance(value, Rate):
        value, number_format = value.value, PERCENT_FORMAT
    elif isinstance(value, datetime):
        if value.tzinfo is not None:
            from datetime import UTC

            value = value.astimezone(UTC).replace(tzinfo=None)
        number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        number_format = DATE_FORMAT
    elif value is not None and not isinstance(value, bool | int | float | Decimal):
        value = ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))
    cell = WriteOnlyCell(sheet, value=value)
    if number_format is not None:
        cell.number_format = number_format
    return cell
