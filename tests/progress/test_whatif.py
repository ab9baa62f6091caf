"""What-if: the audit of any programme version for the learner, side by side with their own, and
the units whose status changes. The audits are those of ``lms audit --learner``."""

from __future__ import annotations

import copy
import json
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from flask import template_rendered

from lms.catalog.models import Programme, ProgrammeVersion, Unit
from lms.core.time import utcnow
from lms.extensions import db
from lms.progress.audit import whatif
from lms.progress.audit.catalogue import ProgramDef
from lms.progress.audit.engine import audit
from lms.progress.audit.figures import figures_of
from lms.progress.audit.records import CreditEntry, LearnerRecord, ResultEntry
from lms.progress.audit.report import leaves
from lms.progress.cli import _json_default
from lms.progress.queries import catalogue_from_database
from tests.helpers import client_for, count_statements
from tests.progress.test_cockpit import PASSWORD, learner_with_short_history, text

LEARNER = "100000W"
EMAIL = "apprenant@example.org"


@contextmanager
def rendered(app):
    """The context of the templates rendered inside the block."""
    seen: list[dict] = []

    def record(_sender, template, context, **_extra):
        seen.append(context)

    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


def as_json(value):
    return json.loads(json.dumps(value, default=_json_default))


def cli_audit(app, program: str, version: str, today: date) -> dict:
    runner = app.test_cli_runner()
    out = runner.invoke(
        args=["audit", "--learner", LEARNER, "--program", program, "--version", version, "--as-of", today.isoformat()]
    )
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def what_if(app, client, key: str, compare: str | None = None):
    args = {"programme": key} | ({"compare": compare} if compare else {})
    with rendered(app) as seen:
        page = client.get("/me/what-if", query_string=args)
    context = next(c for c in seen if "chosen" in c)
    return page, context


def test_what_if_of_every_version_is_lms_audit(demo_app):
    today = utcnow().date()
    client = client_for(demo_app, EMAIL, PASSWORD)
    with demo_app.app_context():
        versions = sorted(catalogue_from_database().programs)
    assert len(versions) >= 6
    for code, version in versions:
        page, context = what_if(demo_app, client, f"{code}:{version}")
        assert page.status_code == 200, (code, page.text[:500])
        assert as_json(context["chosen"]) == cli_audit(demo_app, code, version, today)
        # compared with the learner's own version of the same programme, else their first one
        current = context["current"]
        assert current is not None
        assert as_json(current) == cli_audit(demo_app, current["program"], current["version"], today)
        if code in ("LG02501A", "CC0400A"):
            assert (current["program"], current["version"]) == (code, version)
            assert context["changes"] == []
        body = text(page.text)
        assert code in body and "ECTS" in body
        # The figures in the dashboard's words, computed from the very audits shown.
        for name in ("chosen", "current"):
            figures = context["figures"][name]
            assert figures == figures_of(context[name], None, {c: u.ects for c, u in context["units"].items()})
        assert "Total nominal" in body and "qui comptent ici" in body


def test_compare_with_another_of_my_programmes(demo_app):
    client = client_for(demo_app, EMAIL, PASSWORD)
    _page, context = what_if(demo_app, client, "CS6800A:20261004", compare="LG02501A:20261004")
    assert (context["current"]["program"], context["chosen"]["program"]) == ("LG02501A", "CS6800A")
    # another programme: only the units held are listed, not every requirement of the other
    assert all(c.kind not in (whatif.NEW_REQUIREMENT, whatif.DROPPED_REQUIREMENT) for c in context["changes"])
    _page, context = what_if(demo_app, client, "CS6800A:20261004", compare="MR12202A:20261004")  # not mine
    assert context["current"]["program"] in ("LG02501A", "CC0400A")


def add_version(app, code: str, version: str, change) -> None:
    """A newer version of ``code``: the tree of its newest version changed by ``change(tree)``."""
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme).where(Programme.code == code))
        base = programme.versions[-1]
        tree = copy.deepcopy(base.requirements)
        change(tree)
        db.session.add(
            ProgrammeVersion(
                programme_id=programme.id,
                version=version,
                title=base.title + " (2027)",
                kind=base.kind,
                level=base.level,
                entry_level=base.entry_level,
                nominal_ects=base.nominal_ects,
                pass_mark=base.pass_mark,
                validity_years=base.validity_years,
                requirements=tree,
            )
        )
        db.session.commit()


def replace_leaf(node, old: str, new: str) -> bool:
    if node.get("unit") == old:
        node["unit"] = new
        return True
    return any(replace_leaf(child, old, new) for child in node.get("all", node.get("of", [])))


def test_newer_version_of_my_programme_lists_the_units_that_change(demo_app):
    today = utcnow().date()
    client = client_for(demo_app, EMAIL, PASSWORD)
    mine = cli_audit(demo_app, "LG02501A", "20261004", today)
    tree_leaves = list(leaves(mine["requirements"]))
    met = next(
        leaf["unit"]
        for leaf in tree_leaves
        if leaf["status"] == "met"
        and [a["via"] for a in leaf["applied"]] == ["result"]
        and sum(1 for other in tree_leaves if other["unit"] == leaf["unit"]) == 1
    )
    with demo_app.app_context():
        tree_units = {leaf["unit"] for leaf in tree_leaves}
        held = {code for code, s in whatif.standings(mine).items() if s.status != "absent"}
        new = db.session.scalars(sa.select(Unit.code).order_by(Unit.code)).all()
        new = next(code for code in new if code not in tree_units and code not in held)
    add_version(demo_app, "LG02501A", "20271004", lambda tree: replace_leaf(tree, met, new))

    form_page = client.get("/me/what-if")
    assert form_page.status_code == 200
    assert "20271004" in form_page.text
    assert form_page.text.index("20271004") < form_page.text.index("CC0400A"), "newer versions of mine come first"

    page, context = what_if(demo_app, client, "LG02501A:20271004")
    assert page.status_code == 200
    assert as_json(context["chosen"]) == cli_audit(demo_app, "LG02501A", "20271004", today)
    assert (context["current"]["program"], context["current"]["version"]) == ("LG02501A", "20261004")
    kinds = {change.unit: change.kind for change in context["changes"]}
    assert kinds[met] == whatif.NOW_UNUSED
    assert kinds[new] == whatif.NEW_REQUIREMENT
    assert context["changes"] == whatif.status_changes(mine, context["chosen"])
    body = text(page.text)
    assert met in body and new in body


@pytest.mark.sqlite_only
def test_bad_choices_are_refused(demo_app):
    client = client_for(demo_app, EMAIL, PASSWORD)
    assert client.get("/me/what-if", query_string={"programme": "NOPE:1"}).status_code == 400
    assert client.get("/me/what-if", query_string={"programme": ""}).status_code == 400


@pytest.mark.sqlite_only
def test_only_learners_explore(demo_app):
    anonymous = demo_app.test_client()
    for url in ("/me/what-if", "/me/credentials"):
        page = anonymous.get(url)
        assert page.status_code == 302 and "/login" in page.headers["Location"]
    tutor = client_for(demo_app, "enseignant@example.org", PASSWORD)
    for url in ("/me/what-if?programme=LG02501A:20261004", "/me/credentials"):
        assert tutor.get(url).status_code == 403


@pytest.mark.sqlite_only
def test_pages_run_a_constant_number_of_statements(demo_app):
    email, _programme = learner_with_short_history(demo_app)
    short, long = client_for(demo_app, email, PASSWORD), client_for(demo_app, EMAIL, PASSWORD)
    for url in ("/me/what-if?programme=MR12202A:20261004", "/me/credentials"):
        for client in (short, long):
            client.get(url)  # warm up (session, caches)
        with count_statements(demo_app) as few:
            assert short.get(url).status_code == 200
        with count_statements(demo_app) as many:
            assert long.get(url).status_code == 200
        assert len(few) == len(many), (url, few, many)


# --- pure: status changes between two audits ---------------------------------------------------


def program(code: str, version: str, requirements: dict) -> ProgramDef:
    return ProgramDef(code, version, code, "certificat_competence", None, None, 0, 10, None, requirements)


def test_status_changes_between_versions():
    from lms.progress.audit.catalogue import EquivalenceDef, UnitDef
    from lms.progress.audit.requirements import normalise

    units = {code: UnitDef(code, code, 6, "UE", None) for code in ("AAA100", "BBB100", "CCC100", "DDD100", "EEE100")}
    old = program("P", "1", normalise({"all": ["AAA100", "BBB100", "CCC100"]}))
    new = program("P", "2", normalise({"all": ["BBB100", "DDD100", "EEE100"]}))
    record = LearnerRecord(
        "X",
        results=(
            ResultEntry("AAA100", 12),
            ResultEntry("BBB100", 14),
            ResultEntry("CCC100", 8),
            ResultEntry("EEE100", status="registered"),
        ),
        credits=(CreditEntry("DDD100", "dispense"),),
    )
    before = audit(old, units, [], record, date(2026, 11, 22))
    after = audit(new, units, [], record, date(2026, 11, 22))
    changes = {c.unit: c for c in whatif.status_changes(before, after)}
    assert changes["AAA100"].kind == whatif.NOW_UNUSED  # met, then counts nowhere
    assert changes["CCC100"].kind == whatif.DROPPED_REQUIREMENT  # failed, no longer required
    assert changes["DDD100"].kind == whatif.NOW_COUNTS  # credited, unused, then counts
    assert changes["DDD100"].after == whatif.Standing("met", "credit")
    assert changes["EEE100"].kind == whatif.GAINED or changes["EEE100"].kind == whatif.NOW_COUNTS
    assert changes["EEE100"].after.status == "in_progress"
    assert "BBB100" not in changes  # met by its result in both
    back = {c.unit: c.kind for c in whatif.status_changes(after, before)}
    assert back["AAA100"] == whatif.NOW_COUNTS and back["DDD100"] == whatif.NOW_UNUSED

    # an equivalence: AAA100 + BBB100 count as DDD100 in the new version
    rules = [EquivalenceDef(("AAA100", "CCC100"), "DDD100")]
    eq_record = LearnerRecord("X", results=(ResultEntry("AAA100", 12), ResultEntry("CCC100", 12)))
    before = audit(old, units, rules, eq_record, date(2026, 11, 22))
    after = audit(program("P", "3", normalise({"all": ["DDD100"]})), units, rules, eq_record, date(2026, 11, 22))
    changes = {c.unit: c for c in whatif.status_changes(before, after)}
    assert changes["AAA100"].kind == whatif.COUNTS_DIFFERENTLY
    assert changes["AAA100"].after == whatif.Standing("met", "equivalence", "DDD100")
    assert changes["DDD100"].after.by == ("AAA100", "CCC100")
    assert changes["BBB100"].kind == whatif.DROPPED_REQUIREMENT


@pytest.mark.sqlite_only
def test_a_learner_without_enrolment_sees_the_audit_alone(demo_app):
    from lms.accounts.models import Role
    from tests.helpers import make_user

    make_user(demo_app, "new.learner@example.org", [Role.LEARNER], password="demo-lms-2026")
    client = client_for(demo_app, "new.learner@example.org", PASSWORD)
    page, context = what_if(demo_app, client, "CS6800A:20261004")
    assert page.status_code == 200
    assert context["current"] is None and context["changes"] == []
    assert context["chosen"]["status"] == "incomplete" and context["chosen"]["missing_ects"] == 12
    assert "Compare with my programme" not in page.text and "Comparer" not in page.text
    assert client.get("/me/credentials").status_code == 200
