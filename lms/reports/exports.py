"""Every report as CSV and XLSX, safe from formula injection.

CSV: French spreadsheets' dialect (UTF-8 with a BOM, semicolons), each cell through
:func:`lms.core.exports.neutralise`, produced by a generator so a long list is streamed as it is
read. XLSX: openpyxl in write-only mode into a spooled temporary file (in memory up to a few
megabytes, then on disk), streamed by chunks; text cells are neutralised the same way (numbers and
dates stay typed, rates shown as percentages: :func:`lms.core.exports.xlsx_cell`).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response, stream_with_context
from flask_babel import get_locale

from lms.core.exports import Rate, neutralise, xlsx_cell
from lms.core.i18n import gettext as _
from lms.core.time import academic_year_label
from lms.plugins.contributions import Exporter, collect
from lms.reports import queries
from lms.reports.queries import FUNNEL, Filters, Scope
from lms.timetable.labels import modality_label

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Table:
    name: str  # file and sheet name
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]


# --- the reports as tables ------------------------------------------------------------------------


def status_label(status) -> str:
    return {
        "draft": _("Draft"),
        "submitted": _("Submitted"),
        "accepted": _("Accepted"),
        "waitlisted": _("Waitlisted"),
        "rejected": _("Rejected"),
        "withdrawn": _("Withdrawn"),
    }[status.value]


def intakes_table(scope: Scope, filters: Filters, today: date) -> Table:
    lines = queries.intake_lines(scope, filters)
    header = [
        _("Programme"),
        _("Version"),
        _("Academic year"),
        _("Centre"),
        _("Modality"),
        _("Capacity"),
        *(status_label(status) for status in FUNNEL),
        _("Applications"),
        _("Fill rate"),
    ]
    rows = (
        [
            line.programme_code,
            line.version,
            academic_year_label(line.academic_year),
            line.centre,
            modality_label(line.modality),
            line.capacity,
            *(line.counts[s] for s in FUNNEL),
            line.total,
            Rate(line.fill_rate),
        ]
        for line in lines
    )
    return Table("intakes", header, rows)


def funnels_table(scope: Scope, filters: Filters, today: date) -> Table:
    funnels = queries.programme_funnels(queries.intake_lines(scope, filters))
    header = [
        _("Programme"),
        _("Intakes"),
        _("Capacity"),
        *(status_label(status) for status in FUNNEL),
        _("Applications"),
        _("Fill rate"),
    ]
    rows = (
        [f.programme_code, f.intakes, f.capacity, *(f.counts[s] for s in FUNNEL), f.total, Rate(f.fill_rate)]
        for f in funnels
    )
    return Table("funnel", header, rows)


def cohorts_table(scope: Scope, filters: Filters, today: date) -> Table:
    header = [_("Programme"), _("Version"), _("Title"), _("Nominal ECTS"), _("From ECTS"), _("To ECTS"), _("Learners")]
    rows = (
        [c.programme_code, c.version, c.title, c.nominal_ects, b.low, b.high, b.learners]
        for c in queries.cohorts(scope, filters)
        for b in c.bins
    )
    return Table("cohorts", header, rows)


def diploma_table(scope: Scope, filters: Filters, today: date) -> Table:
    report = queries.time_to_diploma(scope, filters)
    header = [_("Grouped by"), _("Programme or modality"), _("Awards"), _("Median days"), _("Median years")]
    rows = [
        *([_("Programme"), d.key, d.awards, d.median_days, d.median_years] for d in report.by_programme),
        *(
            [_("Modality"), modality_label(d.key) if d.key else _("Unknown"), d.awards, d.median_days, d.median_years]
            for d in report.by_modality
        ),
        [_("All"), "", report.overall.awards, report.overall.median_days, report.overall.median_years],
    ]
    return Table("time-to-diploma", header, rows)


def dropouts_table(scope: Scope, filters: Filters, today: date) -> Table:
    header = [
        _("Learner number"),
        _("Name"),
        _("E-mail"),
        _("Programme"),
        _("Version"),
        _("Enrolled on"),
        _("Last registration (academic year)"),
        _("Last published result"),
    ]
    rows = (
        [
            d.learner_number,
            d.name,
            d.email,
            d.programme_code,
            d.version,
            d.enrolled_on,
            academic_year_label(d.last_registration_year) if d.last_registration_year else "",
            d.last_result_at.date() if d.last_result_at else "",
        ]
        for d in queries.dormant_stream(scope, filters, today)
    )
    return Table("dropout-risk", header, rows)


def validation_table(scope: Scope, filters: Filters, today: date) -> Table:
    header = [
        _("Academic year"),
        _("Unit"),
        _("Title"),
        _("Exam session"),
        _("Graded"),
        _("Validated"),
        _("Absent"),
        _("Validation rate"),
    ]
    rows = (
        [
            academic_year_label(r.academic_year),
            r.unit_code,
            r.unit_title,
            r.exam_session,
            r.graded,
            r.validated,
            r.absent,
            Rate(r.rate),
        ]
        for r in queries.validation_rates(scope, filters)
    )
    return Table("validation-rates", header, rows)


def exporters() -> dict[str, Exporter]:
    """The exporters of every plugin, by kind; for one kind, the plugin registered last wins
    (:func:`lms.plugins.contributions.collect`)."""
    from lms.plugins.manager import plugin_manager

    return {exporter.kind: exporter for exporter in collect(plugin_manager().hook.lms_exporters(), key=_kind)}


def _kind(exporter: Exporter) -> str:
    return exporter.kind


TABLES: dict[str, Callable[[Scope, Filters, date], Table]] = {
    "intakes": intakes_table,
    "funnel": funnels_table,
    "cohorts": cohorts_table,
    "time-to-diploma": diploma_table,
    "dropouts": dropouts_table,
    "validation": validation_table,
}


# --- writers --------------------------------------------------------------------------------------


def csv_cell(value: Any) -> str:
    if isinstance(value, Rate):
        value = value.value
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")  # French spreadsheets read a decimal comma
    if isinstance(value, date | datetime):
        return value.isoformat()
    return neutralise(value)


def csv_lines(table: Table) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([neutralise(cell) for cell in table.header])
    yield "\ufeff" + take()
    for number, row in enumerate(table.rows, 1):
        writer.writerow([csv_cell(cell) for cell in row])
        if number % 500 == 0:
            yield take()
    yield take()


def csv_response(table: Table, filename: str) -> Response:
    """A streamed CSV: the rows of ``table`` (a generator for long lists) are read while the response
    is sent. The header is built beforehand, in the request (language chosen, user loaded)."""
    get_locale()  # chosen now: the user's record is not reloaded while streaming

    def generate() -> Iterator[str]:
        yield from csv_lines(table)

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_xlsx(table: Table, target) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.name[:31])
    bold = Font(bold=True)
    header = []
    for title in table.header:
        cell = xlsx_cell(sheet, title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    workbook.save(target)


def xlsx_response(table: Table, filename: str) -> Response:
    """An XLSX written to a spooled temporary file, then streamed by chunks."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by the stream
    try:
        write_xlsx(table, spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := spool.read(CHUNK_BYTES):
                yield chunk
        finally:
            spool.close()

    response = Response(chunks(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Length"] = str(size)
    return response


BUILT_IN = (Exporter("csv", "CSV", csv_response), Exporter("xlsx", "XLSX", xlsx_response))
