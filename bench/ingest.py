"""Upload speed, as ratios measured in one run against DuckDB's own read_csv.

For each size, writes a valid metric CSV (real catalog metrics, unique keys),
then times in the same process:
  read_csv   - DuckDB's read_csv of the file into a table in a fresh database file
               (the physical limit here)
  ingest     - metrics.ingest as the command line calls it (the file read from disk):
               every check and the store, into a fresh seeded database file; a clean
               file takes the straight path (typed load + pandera on a per-metric profile)
  rejected   - the same file with one out-of-range value appended: the straight path
               stops, the careful path locates the cell (rejected files are not under
               the speed target, but people wait for them too)
and prints each / read_csv, plus peak memory (RSS high-water mark) of a separate
process that ingests the file. A 10,000-row file is timed end to end.

With --floor it also times the parts of the work no design can skip, alone: the
strict typed load (metrics.loading.load: ISO dates, plain numbers) into
observations in one transaction, that load plus the exact check for a key
repeated in the file, and (for comparison) a lenient load using DuckDB's own
typed parsing plus the same check; they show how much of the ratio is left for
everything else.

    .venv/bin/python bench/ingest.py [--rows 1000000 5000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics import access, periods, store
from metrics.catalog import definitions as catalog
from metrics.seed import first_start as seed
from metrics.uploads import csv_file, ingest, loading

TODAY = dt.date(2026, 11, 23)


def write_csv(path: Path, rows: int) -> None:
    """A valid file: weekly metrics of the IT operations team, many segments, unique keys."""
    metrics = [
        m for m in catalog.load_seed().metrics if m.supplied_by == "it_operations" and m.cadence == "weekly"
    ]
    weeks = list(periods.span(dt.date(2000, 1, 3), periods.last_complete(TODAY, "weekly"), "weekly"))
    segments = max(1, rows // (len(metrics) * len(weeks)) + 1)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("metric_id,period_start,segment,value\n")
        for segment in range(segments):
            for m in metrics:
                value = 99.5 if m.unit == "percent" else 300.0
                for week in weeks:
                    out.write(f"{m.id},{week.isoformat()},s{segment},{value + (written % 7) * 0.01:.2f}\n")
                    written += 1
                    if written == rows:
                        return


def time_read_csv(csv: Path, folder: Path) -> float:
    con = duckdb.connect(str(folder / "baseline.duckdb"))
    started = time.perf_counter()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(csv)])
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def time_ingest(csv: Path, db: Path, expect: str = "accepted") -> tuple[float, str]:
    """Seconds to ingest ``csv`` into a fresh seeded database, and how its rows were checked."""
    seed.initialise(db, demo_data=False, demo_people=True)
    with store.connect(db) as con:
        person = access.get_person(con, "ivan.ops@example.com")
    limits = csv_file.Limits(max_bytes=10**10, max_rows=10**8)
    started = time.perf_counter()
    result = ingest.ingest(
        None, csv.name, person, path=db, csv_path=csv, limits=limits, today=TODAY, source="cli"
    )
    elapsed = time.perf_counter() - started
    assert result.outcome == expect, result.message
    return elapsed, result.path_taken


_LENIENT_LOAD = (
    "INSERT INTO observations (metric_id, period_start, segment, value, upload_id, recorded_at) "
    "SELECT metric_id, period_start, coalesce(segment, ''), value, 1, now()::TIMESTAMP FROM read_csv(?, "
    "header = true, auto_detect = false, columns = {'metric_id': 'VARCHAR', 'period_start': 'DATE', "
    "'segment': 'VARCHAR', 'value': 'DOUBLE'})"
)
_REPEATED = (
    "SELECT count(*) - count(DISTINCT hash(metric_id, period_start, segment)) FROM observations "
    "WHERE upload_id = 1"
)


def time_floor(csv: Path, folder: Path) -> dict[str, float]:
    """Seconds for the parts of the work no design can skip, alone: the load (strict as the
    GUIDE asks, and lenient for comparison: DuckDB's own typed parsing, which takes 2026/1/5
    and 1_000) and the exact check for a key repeated in the file."""
    timings = {}
    for name, strict, keys in (
        ("strict load", True, False),
        ("strict load + exact key check", True, True),
        ("lenient load + exact key check", False, True),
    ):
        db = folder / "floor.duckdb"
        seed.initialise(db, demo_data=False, demo_people=True)
        con = duckdb.connect(str(db))
        started = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        if strict:
            loading.load(con, csv, ["metric_id", "period_start", "segment", "value"], "observations", 1)
        else:
            con.execute(_LENIENT_LOAD, [str(csv)])
        if keys:
            con.execute(_REPEATED).fetchone()
        con.execute("COMMIT")
        con.close()
        timings[name] = time.perf_counter() - started
        for leftover in folder.glob("floor.duckdb*"):
            os.remove(leftover)
    return timings


def with_one_bad_value(csv: Path) -> Path:
    bad = csv.with_name(f"bad-{csv.name}")
    bad.write_bytes(csv.read_bytes() + b"site_uptime,2026-11-16,late-extra,101\n")
    return bad


def peak_memory_mib(csv: Path, folder: Path) -> float:
    """Peak RSS of a fresh process that ingests the file (includes Python and libraries)."""
    db = folder / "memory.duckdb"
    code = (
        f"import sys, resource, datetime as dt; sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})\n"
        "from pathlib import Path\n"
        "from metrics import access, store\n"
        "from metrics.seed import first_start as seed\n"
        "from metrics.uploads import csv_file, ingest\n"
        f"db = Path({str(db)!r}); seed.initialise(db, demo_data=False, demo_people=True)\n"
        "with store.connect(db) as con: p = access.get_person(con, 'ivan.ops@example.com')\n"
        f"csv = Path({str(csv)!r})\n"
        "r = ingest.ingest(None, csv.name, p, path=db, csv_path=csv, today=dt.date(2026, 11, 23),"
        " limits=csv_file.Limits(10**10, 10**8))\n"
        "assert r.outcome == 'accepted', r.message\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocess")
    parser.add_argument(
        "--floor", action="store_true", help="also time the strict load and the key check alone"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        small = folder / "small.csv"
        write_csv(small, 10_000)
        small_time, _ = time_ingest(small, folder / "small.duckdb")
        print(f"10,000 rows: submit to report {small_time * 1000:.0f} ms of server time")
        for rows in args.rows:
            csv = folder / f"rows-{rows}.csv"
            write_csv(csv, rows)
            baseline = time_read_csv(csv, folder)
            elapsed, path_taken = time_ingest(csv, folder / f"ingest-{rows}.duckdb")
            line = (
                f"{rows:>10,} rows ({csv.stat().st_size / 2**20:.0f} MB): read_csv {baseline:6.2f} s | "
                f"ingest {elapsed:6.2f} s ({path_taken}) | ratio {elapsed / baseline:4.2f}x"
            )
            if not args.no_memory:
                line += f" | peak memory {peak_memory_mib(csv, folder):,.0f} MiB"
            print(line, flush=True)
            if args.floor:
                parts = " | ".join(
                    f"{name} {t / baseline:4.2f}x" for name, t in time_floor(csv, folder).items()
                )
                print(f"{'':>10} floor: {parts}", flush=True)
            rejected, _ = time_ingest(with_one_bad_value(csv), folder / f"bad-{rows}.duckdb", "rejected")
            print(
                f"{'':>10} one bad value appended: rejected with its line in {rejected:6.2f} s "
                f"| ratio {rejected / baseline:4.2f}x",
                flush=True,
            )
            for leftover in folder.glob("*.duckdb*"):
                os.remove(leftover)
    _ = resource  # peak memory is read in the child process


if __name__ == "__main__":
    main()
