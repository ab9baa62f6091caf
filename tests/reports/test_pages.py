"""Report pages: who may open them, what a director sees, the exports read back, statement counts."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from flask import Response

from lms.plugins import hookimpl
from lms.reports.charts import Bar, histogram_svg, nice_ceiling
from lms.reports.exports import Exporter
from tests.conftest import make_app
from tests.helpers import client_for, count_statements
from tests.reports.world import CERTIFICATE, HOSTILE_NAME, HOSTILE_TITLE, MASTER, build_world, grow

PAGES = [
    "/reports/",
    "/reports/intakes",
    "/reports/cohorts",
    "/reports/time-to-diploma",
    "/reports/dropouts",
    "/reports/validation",
]
EXPORTS = [
    f"/reports/{name}.{kind}"
    for name in ("intakes", "funnel", "cohorts", "time-to-diploma", "dropouts", "validation")
    for kind in ("csv", "xlsx")
]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv" and response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.is_streamed and int(response.headers["Content-Length"]) == len(response.data)
    workbook = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.sqlite_only
def test_access(app):
    world = build_world(app)
    admin = client_for(app, "admin@example.org")
    director = client_for(app, "director@example.org")
    for url in PAGES + EXPORTS:
        assert admin.get(url).status_code == 200, url
        assert director.get(url).status_code == 200, url
        assert director.get(url, query_string={"programme": world.master}).status_code == 200, url
        assert director.get(url, query_string={"programme": world.certificate}).status_code == 403, url
    for email in ("learner@example.org", "tutor@example.org"):
        other = client_for(app, email)
        for url in PAGES + EXPORTS:
            assert other.get(url).status_code == 403, (email, url)
    assert app.test_client().get("/reports/intakes").status_code == 302  # to the login page
    assert admin.get("/reports/intakes?year=abc").status_code == 400
    assert admin.get("/reports/cohorts?year=99999999").status_code == 400
    assert admin.get("/reports/nothing.csv").status_code == 404
    assert admin.get("/reports/intakes.ods").status_code == 404  # no exporter of that kind
    assert "/reports/" in admin.get("/").text and "/reports/" in director.get("/").text  # the navigation item
    assert "/reports/" not in client_for(app, "tutor@example.org").get("/").text


@pytest.mark.sqlite_only
def test_pages_show_the_figures_a_director_may_see(app):
    world = build_world(app)
    admin = client_for(app, "admin@example.org")
    page = admin.get("/reports/intakes").text
    assert MASTER in page and CERTIFICATE in page and "66,7" in page  # fill rate of the master, in French
    director = client_for(app, "director@example.org")
    for url in PAGES[1:]:
        text = director.get(url).text
        assert CERTIFICATE not in text, url
    assert "l5@example.org" in director.get("/reports/dropouts").text
    assert "l12@example.org" not in director.get("/reports/dropouts").text
    cohorts = admin.get("/reports/cohorts", query_string={"programme": world.master}).text
    assert 'role="img"' in cohorts and "<title id=" in cohorts and "<caption>" in cohorts
    assert admin.get("/reports/cohorts").text.count("<svg") == 0  # charts once a programme is chosen
    assert "913" in admin.get("/reports/time-to-diploma").text


@pytest.mark.sqlite_only
def test_csv_exports_are_neutralised(app):
    build_world(app)
    admin = client_for(app, "admin@example.org")
    rows = read_csv(admin.get("/reports/dropouts.csv"))
    assert len(rows) == 3
    l5 = next(row for row in rows if row[2] == "l5@example.org")
    assert l5[1] == "'" + HOSTILE_NAME
    rows = read_csv(admin.get("/reports/validation.csv"))
    csc = next(row for row in rows if row[1] == "CSC301")
    assert csc[2] == "'" + HOSTILE_TITLE and csc[4:8] == ["2", "1", "0", "0,500"]
    funnel = read_csv(admin.get("/reports/funnel.csv"))
    master = next(row for row in funnel if row[0] == MASTER)
    assert master[1:3] == ["2", "6"] and master[-2:] == ["10", "0,667"]
    director = client_for(app, "director@example.org")
    assert [row[3] for row in read_csv(director.get("/reports/dropouts.csv"))[1:]] == [MASTER]


@pytest.mark.sqlite_only
def test_xlsx_exports_read_back(app):
    world = build_world(app)
    admin = client_for(app, "admin@example.org")
    rows = read_xlsx(admin.get("/reports/validation.xlsx"))
    csc = next(row for row in rows if row[1] == "CSC301")
    assert csc[2] == "'" + HOSTILE_TITLE  # text, not a formula
    assert csc[3:7] == [1, 2, 1, 0] and float(csc[7]) == 0.5
    rows = read_xlsx(admin.get("/reports/dropouts.xlsx"))
    assert rows[1][1] == "'" + HOSTILE_NAME or rows[2][1] == "'" + HOSTILE_NAME
    rows = read_xlsx(admin.get("/reports/cohorts.xlsx", query_string={"programme": world.master}))
    assert rows[0][:2] != [None, None] and len(rows) == 1 + 12
    assert [row[6] for row in rows[1:] if row[6]] == [2, 2, 1, 1]
    rows = read_xlsx(admin.get("/reports/time-to-diploma.xlsx"))
    assert rows[-1][2:4] == [3, 731]


def test_statement_count_does_not_grow_with_the_data(app):
    build_world(app)
    admin = client_for(app, "admin@example.org")
    director = client_for(app, "director@example.org")
    urls = PAGES[1:] + [
        "/reports/dropouts.csv",
        "/reports/validation.xlsx",
        "/reports/time-to-diploma.csv",
        "/reports/intakes.xlsx",
        "/reports/cohorts.csv",
    ]

    def counts() -> dict[tuple[str, str], int]:
        found = {}
        for who, client in (("admin", admin), ("director", director)):
            for url in urls:
                with count_statements(app) as statements:
                    response = client.get(url)
                    assert response.status_code == 200
                    response.get_data()  # a streamed body runs its queries while it is read
                found[who, url] = len(statements)
        return found

    before = counts()
    grow(app, "a")
    grow(app, "b")
    assert counts() == before


def test_histogram_svg_is_accessible_and_escaped():
    svg = histogram_svg([Bar("0–10", 3), Bar("<10–20>", 0)], "A & B", "0–10: 3", "ECTS", "#", chart_id="c1")
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">A &amp; B</title>' in svg and "&lt;10–20&gt;" in svg
    assert svg.count("<rect") == 2 and "style=" not in svg
    assert [nice_ceiling(n) for n in (0, 1, 3, 7, 11, 40, 120)] == [1, 1, 5, 10, 20, 50, 200]
    assert "<rect" not in histogram_svg([], "t", "d", "x", "y")


@pytest.mark.sqlite_only
def test_reports_on_the_demo_data(demo_app):
    for email in ("admin@example.org", "directeur@example.org"):
        client = demo_app.test_client()
        from tests.helpers import login

        login(client, email, "demo-lms-2026")
        for url in PAGES + EXPORTS:
            response = client.get(url)
            assert response.status_code == 200, (email, url)
            assert len(response.get_data()) > 0


class TextExporter:
    """A plugin contributing one more format."""

    @hookimpl
    def lms_exporters(self):
        def respond(table, filename):
            lines = ["|".join(table.header), *("|".join(str(cell) for cell in row) for row in table.rows)]
            return Response("\n".join(lines), mimetype="text/plain")

        return [Exporter("txt", "Text", respond)]


@pytest.mark.sqlite_only
def test_a_plugin_adds_an_export_format(database_url):
    app = make_app(database_url, plugins=[TextExporter()])
    build_world(app)
    admin = client_for(app, "admin@example.org")
    assert "/reports/funnel.txt" in admin.get("/reports/intakes").text
    response = admin.get("/reports/funnel.txt")
    assert response.status_code == 200 and response.text.splitlines()[1].startswith(CERTIFICATE + "|1|")
    assert admin.get("/reports/funnel.xlsx").status_code == 200  # the built-in ones stay
