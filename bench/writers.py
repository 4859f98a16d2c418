"""Writers under load: how long a small upload waits for the database while the board is read.

On a demo database in a temporary folder, for 1, 2 and 4 command-line writers, each a
process ingesting small files (5 rows each) one after another, beside 3 board readers,
each a process reading the whole board (open the file, build every tile, close) in a loop
until the writers are done. Prints p50/p95/max of

  writer wait  - from asking for the database to having it (the part of an upload spent in line)
  upload       - the whole ingest of one small file, waiting included
  board read   - one whole board read, waiting included

once taking turns through the queue (metrics/store.py, what the app does) and once by
polling DuckDB's own lock with backoff (what it did before), measured in the same run.

    .venv/bin/python bench/writers.py [--files 20] [--writers 1 2 4] [--readers 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics import access, store
from metrics.board import view as board
from metrics.seed import first_start as seed
from metrics.uploads import ingest

TODAY = dt.date(2026, 11, 23)
WRITER = "ivan.ops@example.com"  # uploads the IT operations team's metrics
ROWS_PER_FILE = 5


@dataclass(frozen=True)
class Samples:
    waits: list[float]
    totals: list[float]


def _timed_opens(waits: list[float], queued: bool) -> None:
    """Record, in this process, how long every opening of the database waited."""
    if not queued:
        store._queue_turn = lambda path, lane="": None  # the old way: polling only
    opener = store.connect.__wrapped__  # type: ignore[attr-defined]

    @contextmanager
    def timed(*args: Any, **kwargs: Any) -> Iterator[store.Connection]:
        started = time.perf_counter()
        opened = opener(*args, **kwargs)
        con = next(opened)  # in line (its lane's, then the database's), opened and migrated
        waits.append(time.perf_counter() - started)
        try:
            yield con
        finally:
            opened.close()

    store.connect = timed


def small_file(writer: int, number: int) -> bytes:
    """Five weekly uptime values in a segment of their own, so every file is new."""
    lines = ["metric_id,period_start,segment,value"]
    week = dt.date(2026, 11, 16)
    for row in range(ROWS_PER_FILE):
        day = week - dt.timedelta(weeks=row)
        lines.append(f"site_uptime,{day.isoformat()},writer {writer} file {number},99.{row}")
    return ("\n".join(lines) + "\n").encode()


def write_files(path: Path, writer: int, files: int, queued: bool, out: Any) -> None:
    os.environ["SCORECARD_TODAY"] = TODAY.isoformat()
    waits: list[float] = []
    _timed_opens(waits, queued)
    totals: list[float] = []
    person = access.Person(WRITER, "Ivan Novak", "it_operations", ("uploader",))
    for number in range(files):
        started = time.perf_counter()
        result = ingest.ingest(small_file(writer, number), f"w{writer}-{number}.csv", person, path=path)
        totals.append(time.perf_counter() - started)
        if result.outcome != "accepted":
            raise SystemExit(f"writer {writer} file {number}: {result.outcome}: {result.error_lines()[:3]}")
    out.put(("writer", waits, totals))


def read_board(path: Path, stop: Event, queued: bool, out: Any) -> None:
    os.environ["SCORECARD_TODAY"] = TODAY.isoformat()
    waits: list[float] = []
    _timed_opens(waits, queued)
    totals: list[float] = []
    while not stop.is_set():
        started = time.perf_counter()
        with store.connect(path, read_only=queued) as con:
            board.view(con, TODAY)
        totals.append(time.perf_counter() - started)
    out.put(("reader", waits, totals))


def run(path: Path, writers: int, readers: int, files: int, queued: bool) -> tuple[Samples, Samples]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    stop = context.Event()
    reading = [context.Process(target=read_board, args=(path, stop, queued, out)) for _ in range(readers)]
    writing = [
        context.Process(target=write_files, args=(path, w, files, queued, out)) for w in range(writers)
    ]
    for process in reading:
        process.start()
    time.sleep(2.0)  # the readers are up and reading before the first upload
    for process in writing:
        process.start()
    results = [out.get() for _ in writing]
    stop.set()
    results += [out.get() for _ in reading]
    for process in reading + writing:
        process.join()
        if process.exitcode:
            raise SystemExit(f"a bench process failed (exit {process.exitcode})")
    wrote = Samples([w for r in results if r[0] == "writer" for w in r[1]], [])
    wrote.totals.extend(t for r in results if r[0] == "writer" for t in r[2])
    read = Samples([w for r in results if r[0] == "reader" for w in r[1]], [])
    read.totals.extend(t for r in results if r[0] == "reader" for t in r[2])
    return wrote, read


def quantiles(samples: Sequence[float]) -> str:
    if not samples:
        return "no samples"
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):6.2f} s  p95 {p95:6.2f} s  max {ordered[-1]:6.2f} s  (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=20, help="small files per writer")
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--readers", type=int, default=3)
    args = parser.parse_args()
    os.environ["SCORECARD_TODAY"] = TODAY.isoformat()
    os.environ.setdefault("SCORECARD_LOCK_TIMEOUT", "60")  # measure the wait, do not cut it off
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "demo.duckdb"
        seed.initialise(template, demo_data=True)
        for writers in args.writers:
            for queued in (True, False):
                path = Path(folder) / f"w{writers}-{'queue' if queued else 'poll'}.duckdb"
                path.write_bytes(template.read_bytes())
                wrote, read = run(path, writers, args.readers, args.files, queued)
                how = "queue  " if queued else "polling"
                print(f"{writers} writer(s) x {args.files} files, {args.readers} board readers, {how}:")
                print(f"  writer wait  {quantiles(wrote.waits)}")
                print(f"  upload       {quantiles(wrote.totals)}")
                print(f"  board read   {quantiles(read.totals)}", flush=True)
                with store.connect(path) as con:
                    stored = con.execute(
                        "SELECT count(*) FROM observations WHERE segment LIKE 'writer %'"
                    ).fetchone()
                expected = writers * args.files * ROWS_PER_FILE
                if not stored or stored[0] != expected:
                    raise SystemExit(f"stored {stored} rows, expected {expected}")


if __name__ == "__main__":
    main()
