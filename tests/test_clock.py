"""One clock: every "today" and every stored timestamp honours SCORECARD_TODAY, and nothing
else in the project reads the wall clock."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from metrics import access, clock, config, store
from metrics.board import view as board
from metrics.okrs import objectives as okrs
from tests.clocks import move_clock

ROOT = config.PROJECT_ROOT
SCANNED = [*sorted((ROOT / "metrics").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
SCANNED += [*sorted((ROOT / "pages").rglob("*.py")), ROOT / "dashboard.py"]
#: the wall clock's readers in Python, as (owner, call): datetime.now, date.today, time.time, ...
_WALL_CALLS = {
    *(("datetime", name) for name in ("now", "utcnow", "today")),
    ("date", "today"),
    *(("time", name) for name in ("time", "time_ns", "localtime", "gmtime", "ctime")),
}
#: SQL that reads the database server's clock instead of ours
_SQL_CLOCK = re.compile(r"\b(now\s*\(\)|current_timestamp|current_date|get_current_time|today\s*\(\))", re.I)
#: the one column default written before the clock existed; every INSERT into people names added_at
_ALLOWED_SQL = {"added_at TIMESTAMP NOT NULL DEFAULT current_timestamp"}


def _owner(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def stray_clock_reads(path: Path) -> list[str]:
    """Places in one file that read the wall clock or the database's clock."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if _reads_wall_clock(node) or _reads_sql_clock(node):
            found.append(f"{_shown(path)}:{getattr(node, 'lineno', 0)} {ast.unparse(node)[:60]}")
    return found


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def _reads_wall_clock(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and (_owner(node.func.value), node.func.attr) in _WALL_CALLS
    )


def _reads_sql_clock(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value
    return bool(_SQL_CLOCK.search(text)) and not any(allowed in text for allowed in _ALLOWED_SQL)


def test_nothing_but_the_clock_reads_the_wall_clock() -> None:
    stray = [place for path in SCANNED if path.name != "clock.py" for place in stray_clock_reads(path)]
    assert stray == []


@pytest.mark.parametrize(
    "source",
    [
        "import datetime as dt\nx = dt.datetime.now()\n",
        "import datetime\nx = datetime.date.today()\n",
        "import time\nx = time.time()\n",
        "q = 'SELECT now()'\n",
        "q = 'INSERT INTO t VALUES (current_timestamp)'\n",
    ],
)
def test_the_scan_finds_each_kind_of_stray_read(tmp_path: Path, source: str) -> None:
    planted = tmp_path / "planted_clock_read.py"  # never inside the tree: other workers scan it
    planted.write_text(source, encoding="utf-8")
    assert len(stray_clock_reads(planted)) == 1


def test_the_configured_day_moves_today_and_now_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "wall", lambda: dt.datetime(2031, 2, 3, 14, 15, 16))
    monkeypatch.setenv("SCORECARD_TODAY", "2026-11-23")
    assert clock.today() == dt.date(2026, 11, 23)
    assert clock.now() == dt.datetime(2026, 11, 23, 14, 15, 16)
    monkeypatch.delenv("SCORECARD_TODAY")
    assert clock.today() == dt.date(2031, 2, 3)
    assert clock.now() == dt.datetime(2031, 2, 3, 14, 15, 16)


def test_a_check_in_made_today_shows_on_todays_board(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The regression that broke main: check-ins carried the real date while the board read the
    configured one. With the wall clock years ahead, a check-in is still stamped on the day."""
    move_clock(monkeypatch, dt.datetime(2026, 11, 23, 23, 59))
    monkeypatch.setattr(clock, "wall", lambda: dt.datetime(2029, 6, 1, 9, 0))
    owner = access.require_person(con, "priya.cio@example.com")
    objective = okrs.objectives(con)[0]
    entry = okrs.check_in(con, owner, objective.objective_id, 8, "steady")
    assert entry.at == dt.datetime(2026, 11, 23, 9, 0)
    assert entry.at < board.as_of_moment(dt.date(2026, 11, 23))  # type: ignore[operator]
