"""`python -m metrics ingest` as a pipeline runs it, and kill -9 in the middle of a big one."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from metrics import store
from metrics.cli.ingest import StageReporter
from tests.test_cli import ROOT, run_cli

DATA = Path(__file__).resolve().parent / "data"


def test_ingest_good_file_exits_0_and_bad_file_exits_1_with_located_lines(demo_db: Path) -> None:
    good = run_cli(
        "ingest", str(DATA / "good" / "weekly_restatement.csv"), "--user", "ivan.ops@example.com", db=demo_db
    )
    assert good.returncode == 0, good.stderr
    assert "Stored weekly_restatement.csv as upload" in good.stdout
    bad = run_cli(
        "ingest", str(DATA / "bad" / "value_not_number.csv"), "--user", "alex.admin@example.com", db=demo_db
    )
    assert bad.returncode == 1
    assert "line 2, column value: 'ten' - not a plain number" in bad.stderr
    assert "line 3, column value: '1,234'" in bad.stderr


def test_dry_run_stores_nothing(demo_db: Path) -> None:
    result = run_cli(
        "ingest",
        "--dry-run",
        str(DATA / "good" / "weekly_restatement.csv"),
        "--user",
        "ivan.ops@example.com",
        db=demo_db,
    )
    assert result.returncode == 0 and "Nothing stored yet" in result.stdout
    with store.connect(demo_db) as con:
        assert store.table_counts(con)["uploads"] == 1


def test_unknown_user_or_board_member_exits_2(demo_db: Path) -> None:
    csv = str(DATA / "good" / "weekly_restatement.csv")
    assert run_cli("ingest", csv, "--user", "nobody@example.com", db=demo_db).returncode == 2
    board = run_cli("ingest", csv, "--user", "bea.board@example.com", db=demo_db)
    assert board.returncode == 2 and "may not upload" in board.stderr


def test_retract_command(demo_db: Path) -> None:
    run_cli(
        "ingest", str(DATA / "good" / "weekly_restatement.csv"), "--user", "ivan.ops@example.com", db=demo_db
    )
    result = run_cli("retract", "2", "--user", "ivan.ops@example.com", db=demo_db)
    assert result.returncode == 0, result.stderr
    assert run_cli("retract", "2", "--user", "ivan.ops@example.com", db=demo_db).returncode == 1


def _big_file(path: Path, rows: int) -> None:
    with path.open("w") as out:
        out.write("metric_id,period_start,segment,value\n")
        for i in range(rows):
            out.write(f"site_uptime,2026-11-16,s{i},99.9\n")


def _ingest_process(big: Path, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "metrics", "ingest", str(big), "--user", "ivan.ops@example.com"],
        cwd=ROOT,
        env={**os.environ, "SCORECARD_DB": str(db), "SCORECARD_MAX_UPLOAD_MB": "500"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_kill_9_during_a_large_ingest_leaves_no_partial_upload(demo_db: Path, tmp_path: Path) -> None:
    """Killed at random moments within the time a whole ingest takes (measured first): never an
    upload with some of its rows, never rows without their upload, and the file always opens."""
    big = tmp_path / "big.csv"
    _big_file(big, 2_000_000)  # long enough that most kills land in the ingest, not in start-up
    template = tmp_path / "template.duckdb"
    template.write_bytes(demo_db.read_bytes())
    started = time.monotonic()
    assert _ingest_process(big, demo_db).wait() == 0
    whole = time.monotonic() - started
    rng = random.Random(7)
    for attempt in range(5):
        demo_db.write_bytes(template.read_bytes())
        process = _ingest_process(big, demo_db)
        time.sleep(whole * (0.3 + 0.65 * rng.random()))  # past start-up, before the end
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        with store.connect(demo_db) as con:
            uploads = con.execute(
                "SELECT u.upload_id, u.row_count, count(o.upload_id) FROM uploads u "
                "LEFT JOIN observations o USING (upload_id) WHERE u.file_name = 'big.csv' GROUP BY ALL"
            ).fetchall()
            orphans = con.execute(
                "SELECT count(*) FROM observations o WHERE NOT EXISTS "
                "(SELECT 1 FROM uploads u WHERE u.upload_id = o.upload_id)"
            ).fetchone()
        for upload_id, row_count, stored in uploads:
            assert stored == row_count, f"attempt {attempt}: upload {upload_id} is partial"
        assert orphans == (0,), f"attempt {attempt}: rows without their upload"


@pytest.mark.real_time
def test_progress_names_the_stage_after_a_second_and_keeps_saying_it_while_it_lasts() -> None:

    out = io.StringIO()
    reporter = StageReporter("big.csv", quiet_for=0.1, out=out)
    reporter.HEARTBEAT = 0.3
    with reporter:
        reporter("Checking the file", 0.05)  # quick: never shown
        reporter("Reading and checking rows", 0.15)
        time.sleep(1.0)  # the load gives no callbacks; the ticker speaks for it
        reporter("Done", 1.0)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("  big.csv: Reading and checking rows (15%"), lines
    assert sum("Reading and checking rows" in line for line in lines) >= 2, lines
    assert lines[-1].startswith("  big.csv: Done (100%"), lines
    assert not any("Checking the file" in line for line in lines)


def test_an_unreadable_file_is_reported_and_the_rest_still_ingested(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from metrics.cli import main as cli
    from metrics.uploads import csv_file

    monkeypatch.setenv("SCORECARD_DB", str(demo_db))
    locked, good = DATA / "bad" / "no_rows.csv", DATA / "good" / "weekly_restatement.csv"
    real_first_look = csv_file.first_look

    def first_look(source: object, limits: csv_file.Limits) -> csv_file.Received:
        if source == locked:
            raise PermissionError(13, "Permission denied")
        return real_first_look(source, limits)  # type: ignore[arg-type]

    monkeypatch.setattr(csv_file, "first_look", first_look)
    code = cli.main(["ingest", str(locked), str(good), "--user", "ivan.ops@example.com"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "no_rows.csv: cannot read the file (Permission denied)" in err
    assert "Stored weekly_restatement.csv" in out
