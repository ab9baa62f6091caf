"""XLSX cells: rates (fractions) shown as percentages, dates and moments as real dates; read back."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from lms.core.exports import DATE_FORMAT, DATETIME_FORMAT, PERCENT_FORMAT, Rate, xlsx_cell
from tests.helpers import client_for
from tests.reports.world import build_world


def read_back(values: list) -> list:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("t")
    sheet.append([xlsx_cell(sheet, value) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return list(openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0].iter_rows())[0]


def test_rates_dates_and_moments_are_typed_and_formatted():
    rate, day, moment, empty_rate, text = read_back(
        [Rate(Decimal("0.667")), date(2026, 6, 30), datetime(2026, 6, 30, 14, 5, tzinfo=UTC), Rate(None), "=1+1"]
    )
    assert rate.value == pytest.approx(0.667) and rate.number_format == PERCENT_FORMAT == "0.0%"
    assert day.is_date and day.value.date() == date(2026, 6, 30) and day.number_format == DATE_FORMAT
    assert moment.is_date and moment.value == datetime(2026, 6, 30, 14, 5) and moment.number_format == DATETIME_FORMAT
    assert empty_rate.value is None
    assert text.value == "'=1+1" and text.data_type == "s"


@pytest.mark.sqlite_only
def test_report_exports_show_rates_as_percentages_and_dates_as_dates(app):
    build_world(app)
    admin = client_for(app, "admin@example.org")

    def sheet(url: str):
        response = admin.get(url)
        assert response.status_code == 200, url
        return list(openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows())

    validation = next(row for row in sheet("/reports/validation.xlsx")[1:] if row[1].value == "CSC301")
    assert validation[7].value == pytest.approx(0.5) and validation[7].number_format == PERCENT_FORMAT
    for url in ("/reports/intakes.xlsx", "/reports/funnel.xlsx"):
        rows = sheet(url)[1:]
        rates = [row[-1] for row in rows if row[-1].value is not None]
        assert rates and all(cell.number_format == PERCENT_FORMAT for cell in rates), url
    dropouts = sheet("/reports/dropouts.xlsx")[1:]
    enrolled = [row[5] for row in dropouts if row[5].value is not None]
    assert enrolled and all(cell.is_date and cell.number_format == DATE_FORMAT for cell in enrolled)
