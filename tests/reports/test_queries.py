"""Each report against figures computed by hand on the small world of ``world.py``, on both engines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from lms.intakes.models import ApplicationStatus as S
from lms.reports import queries
from lms.reports.queries import Bin, Filters, Scope
from tests.reports.world import CERTIFICATE, HOSTILE_NAME, MASTER, build_world

EVERYTHING = Scope(None)


def test_intake_fill_rate_and_funnel(app):
    world = build_world(app)
    with app.app_context():
        lines = queries.intake_lines(EVERYTHING, Filters())
        assert [(line.programme_code, line.academic_year, line.capacity) for line in lines] == [
            (CERTIFICATE, 2025, None),
            (MASTER, 2025, 4),
            (MASTER, 2024, 2),
        ]
        cert, i1, i3 = lines
        assert i1.counts == {S.DRAFT: 1, S.SUBMITTED: 2, S.ACCEPTED: 2, S.WAITLISTED: 1, S.REJECTED: 1, S.WITHDRAWN: 1}
        assert (i1.total, i1.submitted, i1.fill_rate) == (8, 7, Decimal("0.500"))
        assert (i3.total, i3.fill_rate) == (2, Decimal("1.000"))
        assert (cert.counts[S.ACCEPTED], cert.counts[S.REJECTED], cert.fill_rate) == (1, 1, None)

        funnels = {f.programme_code: f for f in queries.programme_funnels(lines)}
        master = funnels[MASTER]
        assert (master.intakes, master.capacity, master.total, master.fill_rate) == (2, 6, 10, Decimal("0.667"))
        assert master.counts[S.ACCEPTED] == 4 and master.counts[S.DRAFT] == 1
        assert (funnels[CERTIFICATE].capacity, funnels[CERTIFICATE].fill_rate) == (None, None)

        only_2024 = queries.intake_lines(EVERYTHING, Filters(year=2024))
        assert [(line.programme_code, line.academic_year) for line in only_2024] == [(MASTER, 2024)]
        only_cert = queries.intake_lines(EVERYTHING, Filters(programme_id=world.certificate))
        assert [line.programme_code for line in only_cert] == [CERTIFICATE]


def test_cohort_distribution(app):
    world = build_world(app)
    with app.app_context():
        cert, master = queries.cohorts(EVERYTHING, Filters())
        # 4.5 and 27 ECTS pinned; learners 11 and 12, enrolled without a validated unit of it, audited at 0.
        assert (cert.programme_code, cert.learners, cert.median_ects) == (CERTIFICATE, 4, Decimal("2.25"))
        assert [b.low for b in cert.bins] == [0, 5, 10, 15, 20, 25]
        assert [b.learners for b in cert.bins] == [3, 0, 0, 0, 0, 1]
        assert (master.programme_code, master.learners, master.median_ects) == (MASTER, 6, Decimal(12))
        assert len(master.bins) == 12 and master.bins[-1] == Bin(110, 120, 1)
        assert {b.low: b.learners for b in master.bins if b.learners} == {0: 2, 10: 2, 40: 1, 110: 1}

        (started_2025,) = queries.cohorts(EVERYTHING, Filters(year=2025))  # enrolled 2025-10-01
        assert started_2025.learners == 4
        assert {b.low: b.learners for b in started_2025.bins if b.learners} == {0: 2, 10: 2}
        assert [c.programme_code for c in queries.cohorts(EVERYTHING, Filters(programme_id=world.master))] == [MASTER]


def test_bins():
    assert queries.make_bins(Decimal(30), {Decimal("4.9"): 1, Decimal(5): 2, Decimal(31): 1}) == [
        Bin(0, 5, 1),
        Bin(5, 10, 2),
        Bin(10, 15, 0),
        Bin(15, 20, 0),
        Bin(20, 25, 0),
        Bin(25, 30, 1),
    ]
    assert [b.high for b in queries.make_bins(Decimal(180), {})][-1] == 180
    assert queries.make_bins(Decimal(0), {Decimal(3): 1}) == [Bin(0, 5, 1)]
    assert queries.make_bins(Decimal(36), {Decimal(36): 1, Decimal("34.5"): 1})[-2:] == [Bin(30, 35, 1), Bin(35, 36, 1)]


def test_time_to_diploma(app):
    build_world(app)
    with app.app_context():
        report = queries.time_to_diploma(EVERYTHING, Filters())
        assert [(d.key, d.awards, d.median_days) for d in report.by_programme] == [
            (CERTIFICATE, 1, Decimal(182)),
            (MASTER, 2, Decimal(913)),  # (731 + 1095) / 2; revoked left out
        ]
        assert report.by_programme[1].median_years == Decimal("2.5")
        # L7 came through a hybrid evening intake although registered FOAD; L8 mostly FOAD; L9 nothing.
        assert [(d.key, d.awards, d.median_days) for d in report.by_modality] == [
            ("hybride_soir", 1, Decimal(731)),
            ("foad", 1, Decimal(1095)),
            ("", 1, Decimal(182)),
        ]
        assert (report.overall.awards, report.overall.median_days, report.overall.median_years) == (
            3,
            Decimal(731),
            Decimal("2.0"),
        )
        decided_2023 = queries.time_to_diploma(EVERYTHING, Filters(year=2023))  # Sept. 2023 to Aug. 2024
        assert [(d.key, d.median_days) for d in decided_2023.by_programme] == [
            (CERTIFICATE, Decimal(182)),
            (MASTER, Decimal(1095)),
        ]


def test_dropout_risk(app):
    world = build_world(app)
    with app.app_context():
        page = queries.dormant_page(EVERYTHING, Filters(), world.today)
        assert page.total == 2
        assert [(d.programme_code, d.email) for d in page.rows] == [
            (CERTIFICATE, "l12@example.org"),  # only a withdrawn registration
            (MASTER, "l5@example.org"),  # registered and graded three years ago
        ]
        l12, l5 = page.rows
        assert (l12.last_registration_year, l12.last_result_at) == (None, None)
        assert l5.name == HOSTILE_NAME and l5.last_registration_year == world.year - 3
        assert l5.last_result_at.date() == world.today - timedelta(days=3 * 365)
        assert [d.email for d in queries.dormant_stream(EVERYTHING, Filters(), world.today)] == [
            "l12@example.org",
            "l5@example.org",
        ]
        second = queries.dormant_page(EVERYTHING, Filters(), world.today, page=2, per_page=1)
        assert (second.pages, [d.email for d in second.rows]) == (2, ["l5@example.org"])
        # two years later, the learners who enrolled in 2025 and are registered this year are not at risk yet
        later = queries.dormant_page(EVERYTHING, Filters(), world.today + timedelta(days=365), per_page=100)
        assert "l1@example.org" not in {d.email for d in later.rows}


def test_dropout_risk_from_the_activity_summary_is_the_live_list(app):
    from lms.reports.summaries import refresh_activity_summary

    world = build_world(app)
    with app.app_context():
        assert queries.activity_time() is not None  # the world's commits had it computed (tasks run at once)
        assert refresh_activity_summary() > 0
        assert queries.activity_time() is not None
        for day in (world.today, world.today + timedelta(days=365), world.today + timedelta(days=3 * 365)):
            live = queries.dormant_page(EVERYTHING, Filters(), day, per_page=100)
            summarised = queries.dormant_page(EVERYTHING, Filters(), day, per_page=100, summarised=True)
            assert summarised == live
        director = queries.dormant_page(EVERYTHING, Filters(programme_id=world.master), world.today, summarised=True)
        assert [d.email for d in director.rows] == ["l5@example.org"]
        db.session.rollback()


def test_validation_rates(app):
    world = build_world(app)
    with app.app_context():
        rates = queries.validation_rates(EVERYTHING, Filters())
        found = {
            (r.academic_year, r.unit_code, r.exam_session): (r.graded, r.validated, r.absent, r.rate) for r in rates
        }
        assert found == {
            (2024, "NFE101", 1): (3, 2, 1, Decimal("0.667")),  # 12, 8, absent, 10; the draft 15 left out
            (2024, "NFE101", 2): (2, 1, 0, Decimal("0.500")),  # 11, 9
            (2025, "CSC301", 1): (2, 1, 0, Decimal("0.500")),  # "validated" decision, 9.99
            (world.year - 3, "NFE102", 1): (2, 1, 0, Decimal("0.500")),  # 5, 14
        }
        assert [(r.academic_year, r.unit_code, r.exam_session) for r in rates] == sorted(
            found, key=lambda key: (-key[0], key[1], key[2])
        )
        assert {r.unit_code for r in queries.validation_rates(EVERYTHING, Filters(year=2025))} == {"CSC301"}
        second = queries.validation_page(EVERYTHING, Filters(), page=2, per_page=3)
        assert (second.total, second.pages, second.rows) == (4, 2, rates[3:])
        assert queries.validation_page(EVERYTHING, Filters(), page=9, per_page=3).page == 2  # clamped
        assert {r.unit_code for r in queries.validation_rates(EVERYTHING, Filters(programme_id=world.master))} == {
            "NFE101",
            "NFE102",
        }


def test_the_validation_summary_holds_the_live_figures_and_is_recomputed_once_for_a_burst(app):
    from lms.reports.summaries import refresh_summaries, refresh_validation_summary

    world = build_world(app)
    with app.app_context():
        assert queries.summary_time() is not None  # the world's commits had it computed (tasks run at once)
        assert refresh_validation_summary() == 4
        for filters in (Filters(), Filters(year=2025), Filters(programme_id=world.master)):
            live = queries.validation_rates(EVERYTHING, filters)
            assert queries.validation_rates(EVERYTHING, filters, summarised=True) == live
        page = queries.validation_page(EVERYTHING, Filters(), page=2, per_page=3, summarised=True)
        assert (page.total, page.pages) == (4, 2)
        first = queries.summary_time()
        assert first is not None
        refresh_summaries((first - timedelta(seconds=5)).isoformat())  # asked before that run: nothing to do
        assert queries.summary_time() == first
        refresh_summaries((first + timedelta(seconds=5)).isoformat())  # asked after: recomputed
        assert queries.summary_time() > first
        db.session.rollback()


def test_a_director_sees_only_their_programmes(app):
    world = build_world(app)
    with app.app_context():
        director = db.session.scalar(sa.select(User).where(User.email == "director@example.org"))
        scope = queries.scope_for(director)
        assert scope == Scope(frozenset({world.master}))
        assert {line.programme_code for line in queries.intake_lines(scope, Filters())} == {MASTER}
        assert [c.programme_code for c in queries.cohorts(scope, Filters())] == [MASTER]
        report = queries.time_to_diploma(scope, Filters())
        assert [d.key for d in report.by_programme] == [MASTER]
        assert [(d.key, d.awards) for d in report.by_modality] == [("hybride_soir", 1), ("foad", 1)]
        assert [d.email for d in queries.dormant_page(scope, Filters(), world.today).rows] == ["l5@example.org"]
        assert {r.unit_code for r in queries.validation_rates(scope, Filters())} == {"NFE101", "NFE102"}
        assert [c.code for c in queries.programme_choices(scope)] == [MASTER]
        # a director's filter on another programme yields nothing (the pages answer 403)
        assert queries.intake_lines(scope, Filters(programme_id=world.certificate)) == []
        nobody = db.session.scalar(sa.select(User).where(User.email == "tutor@example.org"))
        assert queries.scope_for(nobody) == Scope(frozenset())
        assert queries.validation_rates(queries.scope_for(nobody), Filters()) == []
