"""In a real Chromium: a learner filters evening / distance offerings, registers for one and finds
its meeting in their timetable; axe-core finds no serious or critical violation on the catalogue
and the timetable."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from playwright.sync_api import expect

from lms.catalog.models import Unit, UnitKind
from lms.core.time import academic_year, utc_moment, utcnow
from lms.extensions import db
from lms.timetable.models import (
    Centre,
    Meeting,
    MeetingMode,
    Modality,
    Offering,
    Semester,
)
from tests.conftest import make_app
from tests.e2e.support import DEMO_ACCOUNTS
from tests.e2e.test_login_and_accessibility import assert_no_serious_violation

CODE = "AAA100"


def add_offering_with_a_meeting_next_week(database: str) -> date:
    """An evening scheduled-distance offering, window open, one meeting next Tuesday 18:00 in
    Paris; returns the Monday of next week."""
    today = utcnow().date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    app = make_app(f"sqlite:///{database}")
    with app.app_context():
        unit = Unit(code=CODE, title="Architecture des systèmes du soir", ects=Decimal(6), kind=UnitKind.UE)
        centre = db.session.scalar(sa.select(Centre).where(Centre.code == "PAR"))
        offering = Offering(
            unit=unit,
            academic_year=academic_year(today),
            semester=Semester.S1,
            modality=Modality.DISTANCE_PLANIFIEE_SOIR,
            centre=centre,
            capacity=30,
            registration_opens_on=today - timedelta(days=7),
            registration_closes_on=today + timedelta(days=30),
        )
        tuesday = monday + timedelta(days=1)
        meeting = Meeting(
            offering=offering,
            starts_at=utc_moment(tuesday, time(18, 0), centre.timezone),
            ends_at=utc_moment(tuesday, time(21, 0), centre.timezone),
            mode=MeetingMode.REMOTE,
            video_url="https://visio.example/aaa100",
        )
        db.session.add_all([unit, offering, meeting])
        db.session.commit()
        db.engine.dispose()
    return monday


def test_learner_filters_registers_and_sees_the_meeting(page, live_server, log_in, tmp_path):
    monday = add_offering_with_a_meeting_next_week(str(tmp_path / "demo.sqlite3"))
    log_in(page, DEMO_ACCOUNTS["learner"])

    page.goto(f"{live_server}/offerings")
    expect(page.locator("main h1")).to_be_visible()
    assert_no_serious_violation(page, "the offering catalogue")

    page.locator("input[name=evening]").check()
    page.locator("input[name=distance]").check()
    with page.expect_navigation():
        page.locator("main form[role=search] [type=submit]").click()
    assert "evening=y" in page.url and "distance=y" in page.url
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    for modality in rows.locator("td:nth-child(3)").all_inner_texts():
        assert re.search(r"soir|evening", modality, re.IGNORECASE), modality
    row = page.locator("main tbody tr", has_text=CODE)
    expect(row).to_have_count(1)
    assert_no_serious_violation(page, "the filtered offering catalogue")

    with page.expect_navigation():
        row.locator("form[action$='/register'] button").click()
    assert "evening=y" in page.url  # back to the same filtered page
    expect(page.locator("main .alert-success")).to_contain_text(CODE)
    expect(page.locator("main tbody tr", has_text=CODE).locator("form[action$='/withdraw']")).to_have_count(1)

    page.goto(f"{live_server}/timetable?week={monday.isoformat()}")
    tuesday = page.locator(f"#day-{(monday + timedelta(days=1)).isoformat()}").locator("xpath=..")
    expect(tuesday).to_contain_text(CODE)
    expect(tuesday).to_contain_text("18:00–21:00")
    assert_no_serious_violation(page, "the week timetable")

    page.goto(f"{live_server}/timetable/list")
    expect(page.locator("main")).to_contain_text(CODE)
    assert_no_serious_violation(page, "the timetable list")

    page.goto(f"{live_server}/calendar")
    assert_no_serious_violation(page, "the calendar feed page")
