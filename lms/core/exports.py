"""Spreadsheet-safe exports. A cell that starts with =, +, -, @, a tab or a carriage return would
run as a formula when the file is opened in a spreadsheet (CSV injection): it is written with a
leading apostrophe, which spreadsheets show as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
