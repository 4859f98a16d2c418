"""The command line, run as a newcomer runs it: a real subprocess, real exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from metrics import store
from metrics.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, db: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SCORECARD_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _commands() -> list[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("args", [["--help"], *[[c, "--help"] for c in _commands()]])
def test_every_command_has_help(args: list[str], db_path: Path) -> None:
    result = run_cli(*args, db=db_path)
    assert result.returncode == 0, result.stderr
    assert "usage: python -m metrics" in result.stdout


def test_usage_errors_exit_2(db_path: Path) -> None:
    assert run_cli("frobnicate", db=db_path).returncode == 2
    assert run_cli(db=db_path).returncode == 2


def test_init_demo_then_status(db_path: Path) -> None:
    result = run_cli("init", "--demo", db=db_path)
    assert result.returncode == 0, result.stderr
    assert "Loaded" in result.stdout and "demo values" in result.stdout
    status = run_cli("status", db=db_path)
    assert status.returncode == 0, status.stderr
    assert str(db_path) in status.stdout
    assert f"Schema version: {store.LATEST_VERSION}" in status.stdout
    assert "observations" in status.stdout and "demo-data.csv by alex.admin@example.com" in status.stdout


def test_unreadable_database_exits_2_with_a_clear_message(db_path: Path) -> None:
    db_path.write_text("this is not a database\n" * 100)
    result = run_cli("status", db=db_path)
    assert result.returncode == 2
    assert "not a readable Shared Scorecard database" in result.stderr
    assert "Traceback" not in result.stderr


def test_busy_database_exits_2(db_path: Path) -> None:
    with store.connect(db_path):
        pass
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db_path)!r}); print('x', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline()
        env_timeout = {"SCORECARD_LOCK_TIMEOUT": "0.5"}
        result = subprocess.run(
            [sys.executable, "-m", "metrics", "status"],
            cwd=ROOT,
            env={**os.environ, "SCORECARD_DB": str(db_path), **env_timeout},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2
        assert "Database busy" in result.stderr
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    "command",
    [
        ["ingest", "tests/data/good/weekly_restatement.csv"],
        ["retract", "1"],
        ["freeze-pack", "--period", "2026-10"],
        ["events", "tests/data/good/weekly_restatement.csv"],
        ["brief", "--out", "-"],
        ["people", "list"],
    ],
    ids=lambda command: command[0],
)
def test_an_unknown_user_is_a_permission_problem_on_every_command(demo_db: Path, command: list[str]) -> None:
    """GUIDE: exit 2 for usage, permission or busy; someone not in the people table may do nothing."""
    result = run_cli(*command, "--user", "ghost@example.com", db=demo_db)
    assert result.returncode == 2, result.stderr
    assert "ghost@example.com" in result.stderr and "Traceback" not in result.stderr
