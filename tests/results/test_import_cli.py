"""``lms results import FILE.csv``: results and history written in bulk, all or nothing, on both engines."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Learner, Role, User
from lms.core.time import utcnow
from lms.extensions import db
from lms.results.models import Result, ResultHistory, ResultStatus
from lms.timetable.models import Offering, Registration, RegistrationStatus
from tests.helpers import make_user
from tests.results.world import build_world

HEADER = "learner_number,unit,academic_year,semester,modality,centre,exam_session,grade,absent,decision,reason"
PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<message>.+)$")


@pytest.fixture
def world(app):
    return build_world(app)


@pytest.fixture
def numbers(app, world) -> list[str]:
    """The learner numbers of learners A, B, C (registered for NFA031, UA2B01 and NFA032)."""
    with app.app_context():
        return [
            db.session.scalar(sa.select(Learner.learner_number).join(User).where(User.email == email))
            for email in world.learner_emails
        ]


def row(
    number: str,
    unit: str = "NFA031",
    session: int = 1,
    grade: str = "",
    absent: str = "",
    decision: str = "",
    reason: str = "",
) -> str:
    return f"{number},{unit},2026,S1,foad,PAR,{session},{grade},{absent},{decision},{reason}"


def write_file(tmp_path, *rows: str, header: str = HEADER, name: str = "results.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def run(app, *args):
    return app.test_cli_runner().invoke(args=["results", "import", *map(str, args)])


def state(app) -> dict:
    """Every result (registration, session) → value and status, and every history row."""
    with app.app_context():
        results = {
            (r.registration_id, r.exam_session): (
                None if r.grade is None else Decimal(r.grade).quantize(Decimal("0.01")),
                r.absent,
                None if r.decision is None else r.decision.value,
                r.status.value,
                r.locked,
                r.version,
            )
            for r in db.session.scalars(sa.select(Result))
        }
        history = [
            (h.result_id, h.action.value, h.old_value, h.new_value, h.source, h.reason, h.changed_by_id)
            for h in db.session.scalars(sa.select(ResultHistory).order_by(ResultHistory.id))
        ]
    return {"results": results, "history": history}


def assert_problems(result, path, *expected: str) -> list[str]:
    """Exit 2, every stderr line ``FILE:LINE: problem``, ``expected`` among them, no traceback."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines
    for line in lines:
        match = PROBLEM_LINE.match(line)
        assert match and match["file"] == str(path), line
    for wanted in expected:
        assert f"{path}:{wanted}" in lines, (wanted, lines)
    return lines


def test_a_good_file_writes_the_results_and_their_history(app, world, numbers, tmp_path):
    path = write_file(
        tmp_path,
        row(numbers[0], grade='"12,5"'),
        row(numbers[1], grade="8"),
        row(numbers[2], absent="ABS"),
        row(numbers[0], unit="UA2B01", decision="validated"),
    )
    result = run(app, path)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stdout.splitlines()[0] == (
        "4 rows: 4 new results, 0 drafts changed, 0 corrections, 0 unchanged; 0 learners to be re-audited."
    )
    after = state(app)
    a, b, c = world.registrations
    assert after["results"] == {
        (a, 1): (Decimal("12.50"), False, None, "draft", False, 1),
        (b, 1): (Decimal("8.00"), False, None, "draft", False, 1),
        (c, 1): (None, True, None, "draft", False, 1),
        (world.ua_registrations[0], 1): (None, False, "validated", "draft", False, 1),
    }
    assert len(after["history"]) == 4
    with app.app_context():
        ids = dict(db.session.execute(sa.select(Result.registration_id, Result.id)).all())
    first = after["history"][0]
    assert first == (
        ids[a],
        "create",
        None,
        {"grade": "12.50", "absent": False, "decision": None, "comment": None, "status": "draft", "locked": False},
        "import:cli",
        None,
        None,
    )
    assert {h[0] for h in after["history"]} == set(ids.values())
    assert all(h[1] == "create" for h in after["history"])
    with app.app_context():  # the ORM reads back what Core wrote
        row_a = db.session.get(Result, ids[a])
        assert row_a.status is ResultStatus.DRAFT and row_a.published_at is None
        assert [h.action.value for h in row_a.history] == ["create"]


def test_publish_writes_the_publication_and_reaudits_the_learners(app, world, numbers, tmp_path, monkeypatch):
    from lms.results.bulk import writing

    announced = []
    real = writing.holdings_changed
    monkeypatch.setattr(
        writing, "holdings_changed", lambda ids, reason: (announced.append((sorted(ids), reason)), real(ids, reason))
    )
    make_user(app, "author@example.org", [Role.ADMIN])
    path = write_file(tmp_path, row(numbers[0], grade="14"), row(numbers[1], grade="9.5"))
    result = run(app, path, "--publish", "--by", "author@example.org")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "2 to be published; 2 learners to be re-audited." in result.stdout
    assert "2 learners re-audited." in result.stdout
    after = state(app)
    a, b = world.registrations[:2]
    assert after["results"][(a, 1)] == (Decimal("14.00"), False, None, "published", False, 1)
    assert [h[1] for h in after["history"]] == ["create", "create", "publish", "publish"]
    publish = after["history"][2]
    assert publish[2]["status"] == "draft" and publish[3]["status"] == "published"
    with app.app_context():
        author = db.session.scalar(sa.select(User.id).where(User.email == "author@example.org"))
        published = db.session.scalar(sa.select(Result).where(Result.registration_id == a))
        assert published.decided_on == utcnow().date() and published.published_at is not None
        assert published.updated_by_id == author
        learner_ids = sorted(db.session.scalars(sa.select(Registration.learner_id).where(Registration.id.in_([a, b]))))
    assert {h[6] for h in after["history"]} == {author}
    assert announced == [(learner_ids, "results imported")]


def test_running_the_same_file_again_writes_nothing(app, world, numbers, tmp_path):
    path = write_file(tmp_path, row(numbers[0], grade="12"), row(numbers[1], grade="15"))
    assert run(app, path, "--publish").exit_code == 0
    before = state(app)
    again = run(app, path, "--publish")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines() == [
        "2 rows: 0 new results, 0 drafts changed, 0 corrections, 0 drafts kept as they are, 2 unchanged; "
        "0 to be published; "
        "0 learners to be re-audited.",
        "Nothing to import: the database already holds these results.",
    ]
    assert state(app) == before


def test_a_draft_changes_and_a_published_result_changes_only_by_a_correction(app, world, numbers, tmp_path):
    assert run(app, write_file(tmp_path, row(numbers[0], grade="12"), row(numbers[1], grade="7"))).exit_code == 0
    assert run(app, write_file(tmp_path, row(numbers[1], grade="7"), name="publish.csv"), "--publish").exit_code == 0
    changed = write_file(tmp_path, row(numbers[0], grade="13"), row(numbers[1], grade="11"), name="change.csv")
    refused = run(app, changed)
    assert_problems(
        refused,
        changed,
        "3: this result is published (7.00): a change is a correction, give its reason in the reason column",
    )
    before = state(app)
    corrected = write_file(
        tmp_path, row(numbers[0], grade="13"), row(numbers[1], grade="11", reason="copie recorrigée"), name="fix.csv"
    )
    result = run(app, corrected)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("2 rows: 0 new results, 1 drafts changed, 1 corrections, 0 unchanged;")
    after = state(app)
    a, b = world.registrations[:2]
    assert after["results"][(a, 1)] == (Decimal("13.00"), False, None, "draft", False, 2)
    assert after["results"][(b, 1)] == (Decimal("11.00"), False, None, "published", False, 3)
    new = after["history"][len(before["history"]) :]
    assert [(h[1], h[2]["grade"], h[3]["grade"], h[5]) for h in new] == [
        ("edit", "12.00", "13.00", None),
        ("correction", "7.00", "11.00", "copie recorrigée"),
    ]


def test_every_bad_row_is_reported_and_nothing_is_written(app, world, numbers, tmp_path):
    make_user(app, "stranger@example.org", [Role.LEARNER])
    with app.app_context():
        stranger = db.session.scalar(
            sa.select(Learner.learner_number).join(User).where(User.email == "stranger@example.org")
        )
        withdrawn = db.session.get(Registration, world.registrations[2])
        withdrawn.status = RegistrationStatus.WITHDRAWN
        db.session.commit()
    path = write_file(
        tmp_path,
        row(numbers[0], grade="12"),  # 2: good
        row("999999Z", grade="12"),  # 3
        row(numbers[0], unit="XXX999", grade="12"),  # 4
        row(stranger, grade="12"),  # 5
        row(numbers[1], grade="21"),  # 6
        row(numbers[1], grade="12.555"),  # 7
        row(numbers[1], grade="12", absent="1"),  # 8
        row(numbers[0], grade="14"),  # 9: duplicate of 2
        row(numbers[2], grade="10"),  # 10: withdrawn
        row(numbers[1], session=2, grade="10"),  # 11: no failed session 1
        row(numbers[1], decision="validated"),  # 12: a UE
        row(numbers[1], unit="UA2B01", decision="maybe"),  # 13
        row(numbers[1]),  # 14: empty
        "x,y",  # 15
        row(numbers[1], grade="=1+1"),  # 16
    )
    result = run(app, path)
    lines = assert_problems(
        result,
        path,
        "3: unknown learner number 999999Z",
        "4: unknown offering: XXX999 2026 S1 foad at PAR",
        f"5: learner {stranger} is not registered for this offering",
        "6: The grade “21” is outside 0–20.",
        "7: The grade “12.555” has more than two decimals.",
        "8: a learner marked absent has no grade",
        "9: duplicate of line 2: the same learner, offering and exam session",
        f"10: learner {numbers[2]}'s registration for this offering is withdrawn",
        f"11: learner {numbers[1]} is not on the session 2 sheet: no failed session 1 result published",
        "12: NFA031 is a UE: it takes a grade, not a decision",
        "13: decision “maybe” is not one of validated, not_validated",
        "14: no grade, absent or decision: nothing to import",
        "15: expected 11 cells, found 2",
        "16: “=1+1” is not a grade: enter a number from 0 to 20.",
    )
    assert len(lines) == 14
    assert [int(PROBLEM_LINE.match(line)["line"]) for line in lines] == sorted(range(3, 17))
    assert state(app) == {"results": {}, "history": []}


def test_dry_run_checks_everything_and_writes_nothing(app, world, numbers, tmp_path):
    path = write_file(tmp_path, row(numbers[0], grade="12"), row(numbers[1], absent="yes"))
    result = run(app, path, "--dry-run", "--publish")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "2 rows: 2 new results, 0 drafts changed, 0 corrections, 0 drafts kept as they are, 0 unchanged; "
        "2 would be published; "
        "2 learners would be re-audited."
    )
    assert lines[1].startswith("Dry run: nothing written")
    assert state(app) == {"results": {}, "history": []}
    bad = write_file(tmp_path, row(numbers[0], grade="25"), name="bad.csv")
    assert_problems(run(app, bad, "--dry-run"), bad, "2: The grade “25” is outside 0–20.")
    assert run(app, path).exit_code == 0  # the temporary table is gone with the dry run's transaction
    assert len(state(app)["results"]) == 2


def test_the_sheet_dates_are_enforced(app, world, numbers, tmp_path):
    today = utcnow().date()
    with app.app_context():
        offering = db.session.get(Offering, world.offering)
        offering.jury1_on = today - timedelta(days=1)  # the jury has met: the sheet is locked
        ua = db.session.get(Offering, world.ua_offering)
        ua.exam1_on = today + timedelta(days=3)
        db.session.commit()
    path = write_file(tmp_path, row(numbers[0], grade="12"), row(numbers[0], unit="UA2B01", decision="validated"))
    result = run(app, path, "--publish")
    assert_problems(
        result,
        path,
        f"2: the sheet of session 1 is locked since the jury of {today - timedelta(days=1)}: no new result",
        f"3: the exam of session 1 is on {today + timedelta(days=3)}: its results cannot be published before",
    )
    assert state(app) == {"results": {}, "history": []}


def test_a_file_that_cannot_be_read_is_refused(app, world, tmp_path):
    missing = write_file(tmp_path, "1,2", header="learner_number,unit,grade,colour")
    lines = assert_problems(run(app, missing), missing)
    assert lines[0].startswith(f"{missing}:1: unknown column: colour")
    assert f"{missing}:1: missing column: academic_year, semester, modality, centre, exam_session" in lines
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert run(app, empty).stderr.splitlines() == [f"{empty}: the file is empty"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\n" + "é" * 10 + "\n").encode("latin-1"))
    assert run(app, latin).stderr.splitlines() == [f"{latin}: not UTF-8 text: save the file as CSV UTF-8"]
    assert state(app) == {"results": {}, "history": []}


def test_semicolons_and_comma_decimals_as_french_spreadsheets_write_them(app, world, numbers, tmp_path):
    path = tmp_path / "fr.csv"
    text = HEADER.replace(",", ";") + "\n" + row(numbers[0], grade="12.75").replace(",", ";").replace(".", ",") + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = run(app, path)
    assert result.exit_code == 0, result.stderr
    assert state(app)["results"][(world.registrations[0], 1)][0] == Decimal("12.75")


def test_many_learners_are_reaudited_by_a_queued_job(app, world, numbers, tmp_path, monkeypatch):
    from lms.core.models import BackgroundJob, JobStatus
    from lms.progress import tasks

    monkeypatch.setattr(tasks, "QUEUE_FROM", 1)
    monkeypatch.setattr(tasks, "REAUDIT_BATCH", 1)
    from lms.progress import services

    done = []
    original = services.refresh_progress
    monkeypatch.setattr(
        services, "refresh_progress", lambda ids, **kw: (done.append(sorted(ids)), original(ids, **kw))[1]
    )
    path = write_file(tmp_path, row(numbers[0], grade="14"), row(numbers[1], grade="9.5"))
    result = run(app, path, "--publish")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "the re-audit of 2 learners is queued (job " in result.stdout
    with app.app_context():
        job = db.session.scalar(sa.select(BackgroundJob).where(BackgroundJob.kind == "reaudit-learners"))
        assert (job.status, job.done, job.total) == (JobStatus.DONE, 2, 2)  # tasks run at once in tests
        learner_ids = sorted(
            db.session.scalars(sa.select(Registration.learner_id).where(Registration.id.in_(world.registrations[:2])))
        )
    assert done == [[learner_ids[0]], [learner_ids[1]]]  # one task per batch, after the commit
