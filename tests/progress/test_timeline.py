"""The learner's multi-year timeline: a valid, accessible SVG (pure builder) and the page with its
table alternative, whose figures match the chart, in a constant number of statements."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner, User
from lms.accounts.queries import learner_by_number
from lms.extensions import db
from lms.progress import charts, history
from lms.results.models import Credit, Result, ResultStatus
from lms.timetable.models import Registration, RegistrationStatus
from tests.helpers import client_for, count_statements

PASSWORD = "demo-lms-2026"
NS = {"svg": "http://www.w3.org/2000/svg"}


def svg_of(html: str) -> ET.Element:
    match = re.search(r"<svg\b.*?</svg>", html, re.DOTALL)
    assert match, "the page inlines the chart"
    return ET.fromstring(match.group(0))


# --- the pure chart ------------------------------------------------------------------------------


MARKS = [
    charts.Mark("NFA031", 2021, "S1", "validated", Decimal(6), "Programmation"),
    charts.Mark("NFA032", 2021, "S2", "failed", Decimal(6), "8,00/20"),
    charts.Mark("NFA032", 2022, "S1", "validated", Decimal(6)),
    charts.Mark("CFA109", 2021, "S1", "credit", Decimal(4)),
    charts.Mark("UAIP1M", 2023, "A", "in_progress", Decimal(9)),
    charts.Mark("NFA031", 2023, "A", "validated", Decimal(6)),  # validated twice: counted once
]


def test_year_totals_count_each_unit_once_and_fill_empty_years():
    totals = charts.year_totals(MARKS)
    assert [(t.academic_year, t.ects, t.cumulative, t.in_progress) for t in totals] == [
        (2021, Decimal(10), Decimal(10), Decimal(0)),
        (2022, Decimal(6), Decimal(16), Decimal(0)),
        (2023, Decimal(0), Decimal(16), Decimal(9)),
    ]
    assert charts.year_totals([]) == []


def test_svg_is_valid_accessible_xml_with_one_mark_per_line():
    svg = ET.fromstring(charts.timeline_svg(MARKS))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.get("role") == "img"
    title, desc = svg.find("svg:title", NS), svg.find("svg:desc", NS)
    assert title is not None and title.text and desc is not None and desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    units = svg.findall(".//svg:g[@class='unit']", NS)
    assert sorted((u.get("data-code"), u.get("data-status")) for u in units) == sorted(
        (m.code, m.status) for m in MARKS
    )
    for unit in units:  # every mark names its status in words, and shows a symbol beside its code
        assert unit.find("svg:title", NS).text.startswith(unit.get("data-code"))
        assert unit.find("svg:text", NS).text.endswith(unit.get("data-code"))
    years = [
        (g.get("data-year-ects"), g.get("data-cumulative"))
        for g in svg.iter(f"{{{NS['svg']}}}g")
        if g.get("class") == "ects"
    ]
    assert years == [("10", "10"), ("6", "16"), ("0", "16")]
    # No inline style (the CSP forbids them): presentation attributes only.
    assert not any("style" in element.attrib for element in svg.iter())
    assert svg.find(".//svg:style", NS) is None


def test_statuses_differ_by_more_than_colour():
    svg = ET.fromstring(charts.timeline_svg(MARKS))
    looks = {}
    for unit in svg.findall(".//svg:g[@class='unit']", NS):
        rect, text = unit.find("svg:rect", NS), unit.find("svg:text", NS)
        looks[unit.get("data-status")] = (
            rect.get("stroke-dasharray"),
            rect.get("fill").startswith("url("),
            text.text.split()[0],
        )
    assert len(set(looks.values())) == 4
    assert len({symbol for _dash, _pattern, symbol in looks.values()}) == 4


def test_text_is_escaped_and_empty_timeline_renders():
    labels = charts.ChartLabels(title="<Mes> & unités")
    svg = ET.fromstring(charts.timeline_svg([charts.Mark("A&B", 2024, "S1", "validated", Decimal(3), "<x>")], labels))
    assert svg.find("svg:title", NS).text == "<Mes> & unités"
    assert "<x>" in svg.find(".//svg:g[@class='unit']/svg:title", NS).text
    empty = ET.fromstring(charts.timeline_svg([]))
    assert empty.findall(".//svg:g[@class='unit']", NS) == []


# --- the page ------------------------------------------------------------------------------------


def test_timeline_page_chart_matches_its_tables(demo_app):
    page = client_for(demo_app, "apprenant@example.org", PASSWORD).get("/me/timeline")
    assert page.status_code == 200
    svg = svg_of(page.text)
    with demo_app.app_context():
        learner = learner_by_number("100000W")
        lines = history.learner_history(learner)
        registrations = db.session.scalar(
            sa.select(sa.func.count(Registration.id)).where(
                Registration.learner_id == learner.id, Registration.status == RegistrationStatus.REGISTERED
            )
        )
        credits = db.session.scalar(
            sa.select(sa.func.count(Credit.id)).where(Credit.learner_id == learner.id, Credit.revoked_at.is_(None))
        )
    units = svg.findall(".//svg:g[@class='unit']", NS)
    assert len(units) == len(lines) >= registrations + credits > 5
    assert {u.get("data-status") for u in units} >= {"validated", "credit"}
    # The chart's ECTS per year equal the table's.
    chart = [
        (g.get("data-year-ects"), g.get("data-cumulative"))
        for g in svg.iter(f"{{{NS['svg']}}}g")
        if g.get("class") == "ects"
    ]
    table = re.findall(r'data-ects="([^"]+)">.*?data-cumulative="([^"]+)"', page.text, re.DOTALL)
    assert chart and [(Decimal(a), Decimal(b)) for a, b in chart] == [(Decimal(a), Decimal(b)) for a, b in table]
    # One table row per mark, in the same order of codes.
    rows = re.findall(r'<tr data-code="([^"]+)" data-status="([^"]+)"', page.text)
    assert sorted(rows) == sorted((u.get("data-code"), u.get("data-status")) for u in units)
    # The running total is what the learner validated: results (grade >= 10 or decision) and credits.
    validated = {line.code: line.ects for line in lines if line.validated}
    assert Decimal(chart[-1][1]) == sum(validated.values())
    assert 'role="img"' in page.text and "aria-labelledby" in page.text


@pytest.mark.sqlite_only
def test_timeline_is_for_learners_only(demo_app):
    assert demo_app.test_client().get("/me/timeline").status_code == 302
    assert client_for(demo_app, "enseignant@example.org", PASSWORD).get("/me/timeline").status_code == 403


def test_history_ignores_drafts_and_revoked_credits(demo_app):
    with demo_app.app_context():
        learner = learner_by_number("100000W")
        before = history.learner_history(learner)
        credit = db.session.scalar(sa.select(Credit).where(Credit.learner_id == learner.id).limit(1))
        credit.revoked_at, credit.revoke_reason = sa.func.now(), "test"
        published = db.session.scalars(
            sa.select(Result)
            .join(Registration)
            .where(Registration.learner_id == learner.id, Result.status == ResultStatus.PUBLISHED)
        ).all()
        for result in published:
            result.status = ResultStatus.DRAFT
        db.session.flush()
        after = history.learner_history(learner)
        assert len([a for a in after if a.source == "credit"]) == len([b for b in before if b.source == "credit"]) - 1
        assert all(a.status == "in_progress" for a in after if a.source == "result")
        db.session.rollback()


def learner_with_short_history(app) -> tuple[str, int]:
    """(e-mail, number of registrations) of a demo learner with a short history, given a credit so
    that every kind of line shows."""
    with app.app_context():
        n = sa.func.count(Registration.id).label("n")
        row = db.session.execute(
            sa.select(User.email, Learner.id, n)
            .select_from(Learner)
            .join(User, Learner.user_id == User.id)
            .join(Registration, Registration.learner_id == Learner.id)
            .group_by(User.email, Learner.id)
            .having(n >= 1)
            .order_by(n, User.email)
            .limit(1)
        ).first()
        email, learner_id, count = row
        unit_id = db.session.scalar(sa.select(Registration.offering_id).where(Registration.learner_id == learner_id))
        from lms.timetable.models import Offering

        unit_id = db.session.get(Offering, unit_id).unit_id
        db.session.add(
            Credit(
                learner_id=learner_id, unit_id=unit_id, source="transfer", granted_on=date(2024, 3, 1), reason="test"
            )
        )
        db.session.commit()
        return email, count


@pytest.mark.sqlite_only
def test_timeline_runs_a_constant_number_of_statements(demo_app):
    email, _count = learner_with_short_history(demo_app)
    short, long = client_for(demo_app, email, PASSWORD), client_for(demo_app, "apprenant@example.org", PASSWORD)
    with count_statements(demo_app) as few:
        short_page = short.get("/me/timeline")
    with count_statements(demo_app) as many:
        long_page = long.get("/me/timeline")
    assert short_page.status_code == long_page.status_code == 200
    assert len(svg_of(short_page.text).findall(".//svg:g[@class='unit']", NS)) < len(
        svg_of(long_page.text).findall(".//svg:g[@class='unit']", NS)
    )
    assert len(few) == len(many), (few, many)


@pytest.mark.sqlite_only
def test_learner_without_history_sees_an_empty_timeline(demo_app):
    with demo_app.app_context():
        from lms.accounts.models import Role
        from lms.accounts.services import create_user

        create_user(
            "debut@example.org",
            "Auditrice Débutante",
            [Role.LEARNER],
            password=PASSWORD,
            locale="en",
            learner_number="199998B",
        )
        db.session.commit()
    page = client_for(demo_app, "debut@example.org", PASSWORD).get("/me/timeline")
    assert page.status_code == 200
    assert "<svg" not in page.text and "your timeline starts with your first registration" in page.text
