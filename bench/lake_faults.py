"""Faults on the DuckLake store, with the figures they give: what a person would see, what is kept.

Starts PostgreSQL and the S3 emulator (tests/services.py), seeds the demo into a lake, then:

  kill     - --kills times: a command-line writer ingesting a --rows-row file is killed (SIGKILL)
             at a random moment of its run (the moment is spread over the whole run, so some land
             in the commit); after each, every upload's values are there whole or not at all, and
             the next small write goes through (its wait is printed)
  restart  - PostgreSQL restarted while a reader loops: how long reads said "store unavailable",
             and that the same process reads again afterwards, with nothing lost
  s3       - the S3 emulator frozen for --pause seconds (SIGSTOP, so it keeps its files) while a
             reader and a writer go on: what each saw, and that nothing was lost or half-written
  s3-large - the S3 emulator frozen while a --rows-row upload is written: how long until it is
             refused, that nothing of it is stored, and that the same file goes in once S3 is back
  mid-commit - PostgreSQL restarted while a writer's transaction is open: refused whole, the next
             write goes through

    .venv/bin/python bench/lake_faults.py [--kills 20] [--rows 300000] [--pause 30] [--only s3-large,...]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics import access, lake, store
from metrics.board import view as board
from metrics.errors import ScorecardError
from metrics.seed import first_start as seed
from metrics.uploads import ingest
from tests import services

TODAY_TEXT = "2026-11-23"
WRITER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from metrics import access, store\n"
    "from metrics.uploads import ingest\n"
    "with store.connect() as con:\n"
    "    uma = access.require_person(con, 'uma.upload@example.com')\n"
    "result = ingest.ingest(None, 'big.csv', uma, source='cli', csv_path=Path(sys.argv[1]))\n"
    "print(result.outcome, flush=True)\n"
)


def whole_or_nothing() -> tuple[int, int]:
    """(uploads checked, uploads with only part of their values): 0 in the second is the rule."""
    with store.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT u.upload_id, u.row_count, count(o.upload_id) FROM uploads u "
            "LEFT JOIN observations o USING (upload_id) WHERE u.outcome = 'accepted' GROUP BY ALL"
        ).fetchall()
        orphans = con.execute(
            "SELECT count(*) FROM observations WHERE upload_id NOT IN (SELECT upload_id FROM uploads)"
        ).fetchone()
    partial = sum(1 for _, expected, found in rows if expected is not None and found not in (0, expected))
    return len(rows), partial + (int(orphans[0]) if orphans else 0)


def small_write(tag: str) -> float:
    with store.connect() as con:
        uma = access.require_person(con, "uma.upload@example.com")
    body = (
        f"metric_id,period_start,value\nsessions,2026-11-16,{250_000 + random.randint(0, 10**6)}\n".encode()
    )
    started = time.perf_counter()
    result = ingest.ingest(body, f"small-{tag}.csv", uma, source="cli")
    assert result.outcome == "accepted", result.message
    return time.perf_counter() - started


def big_csv(path: Path, rows: int) -> None:
    lines = ["metric_id,period_start,segment,value"]
    lines += [f"sessions,2026-11-16,s{i},{i % 1000}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")


def kills(csv: Path, count: int) -> None:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRITER, str(csv)], cwd=ROOT, capture_output=True, text=True)
    whole = time.perf_counter() - started
    assert "accepted" in done.stdout, done.stderr[-2000:]
    print(f"kill: one unkilled writer of {csv.stat().st_size / 1e6:.1f} MB took {whole:.1f} s")
    stored_whole, next_waits = 0, []
    for index in range(count):
        csv.write_text(csv.read_text() + "\n")  # new bytes: not refused as a duplicate
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(csv)], cwd=ROOT, stdout=subprocess.PIPE)
        time.sleep(random.uniform(0.4, whole * 1.05))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        _, partial = whole_or_nothing()
        assert partial == 0, f"kill {index + 1}: {partial} upload(s) half-stored"
        next_waits.append(small_write(f"k{index}"))
        with store.connect(read_only=True) as con:
            row = con.execute("SELECT count(*) FROM uploads WHERE file_name = 'big.csv'").fetchone()
        stored_whole = int(row[0]) - 1 if row else 0  # the unkilled run's upload is one of them
    print(
        f"kill: {count} writers killed at random moments; {stored_whole} had committed whole before the "
        f"kill, {count - stored_whole} left nothing; half-stored uploads: 0 (every check); "
        f"the next small write took {min(next_waits):.2f}-{max(next_waits):.2f} s"
    )


def outage(name: str, stop: Callable[[], object], start: Callable[[], object], seconds: float) -> None:
    """A reader (the board, every 0.5 s) and a small writer (every 2 s) through an outage."""
    said: dict[str, int] = {}
    writes_ok = writes_refused = 0
    stop()
    stopped = time.perf_counter()
    back: float | None = None
    while time.perf_counter() - stopped < seconds + 60:
        if back is None and time.perf_counter() - stopped >= seconds:
            start()
            back = time.perf_counter()
        try:
            with store.connect(read_only=True) as con:
                board.view(con, board.parse_period("2026-W47").end)
            if back is not None:
                break
            said["read"] = said.get("read", 0) + 1
        except ScorecardError as exc:
            said[exc.title] = said.get(exc.title, 0) + 1
        if int(time.perf_counter() - stopped) % 2 == 0:
            try:
                small_write(f"{name}-{time.time_ns()}")
                writes_ok += 1
            except ScorecardError as exc:
                writes_refused += 1
                said[f"write: {exc.title}"] = said.get(f"write: {exc.title}", 0) + 1
        time.sleep(0.5)
    recovered = None if back is None else time.perf_counter() - back
    checked, partial = whole_or_nothing()
    print(
        f"{name}: down {seconds:.0f} s; during it {said}; writes stored {writes_ok}, refused {writes_refused}; "
        f"reads again {recovered:.1f} s after it came back, same process; half-stored uploads: {partial} "
        f"of {checked}"
    )


def counts() -> dict[str, int]:
    with store.connect(read_only=True) as con:
        return store.table_counts(con)


def large_upload_while_frozen(csv: Path, freeze: Callable[[], object], thaw: Callable[[], object]) -> None:
    csv.write_text(csv.read_text() + "\n")  # new bytes: not refused as a duplicate
    before = counts()
    with store.connect() as con:
        uma = access.require_person(con, "uma.upload@example.com")
    freeze()
    started = time.perf_counter()
    try:
        ingest.ingest(None, "big.csv", uma, source="cli", csv_path=csv)
        said = "accepted (not expected)"
    except ScorecardError as exc:
        said = exc.title
    finally:
        refused_after = time.perf_counter() - started
        thaw()
    unchanged = counts() == before
    started = time.perf_counter()
    again = ingest.ingest(None, "big.csv", uma, source="cli", csv_path=csv)
    print(
        f"s3-large: a {csv.stat().st_size / 1e6:.1f} MB upload while S3 was frozen: {said!r} after "
        f"{refused_after:.0f} s; store unchanged: {unchanged}; half-stored uploads: {whole_or_nothing()[1]}; "
        f"the same file once S3 was back: {again.outcome} in {time.perf_counter() - started:.1f} s"
    )


def write_across_restart(running: services.Services) -> None:
    before = counts()
    said = "committed (not expected)"
    try:
        with store.connect() as con, store.transaction(con):
            con.execute(
                "INSERT INTO metric_notes VALUES "
                "('sessions', DATE '2026-11-16', 'across a restart', 'bench', TIMESTAMP '2026-11-20 09:00')"
            )
            services.restart_postgres(running)
    except ScorecardError as exc:
        said = exc.title
    unchanged = counts() == before
    wait = small_write("after-restart")
    print(
        f"mid-commit: a write open while PostgreSQL restarted: {said!r}; store unchanged: {unchanged}; "
        f"the next write took {wait:.2f} s"
    )


SCENARIOS = ("kill", "restart", "s3", "s3-large", "mid-commit")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--pause", type=float, default=30)
    parser.add_argument("--only", default=",".join(SCENARIOS), help="scenarios, comma separated")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if unknown := only - set(SCENARIOS):
        parser.error(f"no scenario {', '.join(sorted(unknown))}; there are {', '.join(SCENARIOS)}")
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        running = services.up(folder / "services")
        try:
            os.environ.update({**running.settings("scorecard", "faults"), "SCORECARD_TODAY": TODAY_TEXT})
            os.environ["SCORECARD_LOCK_TIMEOUT"] = "30"
            seed.initialise(demo_data=True)
            csv = folder / "big.csv"
            big_csv(csv, args.rows)
            freeze = lambda: os.kill(running.s3_pid, signal.SIGSTOP)  # noqa: E731
            thaw = lambda: os.kill(running.s3_pid, signal.SIGCONT)  # noqa: E731
            if "kill" in only:
                kills(csv, args.kills)
            if "restart" in only:
                outage(
                    "PostgreSQL stopped",
                    lambda: services.stop_postgres(running),
                    lambda: services.start_postgres(running),
                    args.pause,
                )
            if "s3" in only:
                outage("S3 emulator frozen", freeze, thaw, args.pause)
            if "s3-large" in only:
                large_upload_while_frozen(csv, freeze, thaw)
            if "mid-commit" in only:
                write_across_restart(running)
        finally:
            lake.forget()
            services.down(folder / "services")


if __name__ == "__main__":
    main()
