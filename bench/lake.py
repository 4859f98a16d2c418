"""The DuckLake store against the embedded file, as ratios measured in one run.

Starts PostgreSQL (the catalog) and the S3 emulator (the data files) with tests/services.py,
seeds the demo into a file and into a lake and, with --big, adds the same ~10M observations to
each (bench/board.py's bulk rows), then times, median of --runs:

  board query  - the bare query behind the board (values in force for every agreed metric)
  board view   - a whole unit of work: connect, catalog, query, every tile, budget, timeline
  warm page    - the board page's warm rerun in Streamlit's AppTest (nothing new: caches hold)
  ingest       - a metric CSV of --rows rows through metrics.ingest, against DuckDB's read_csv
                 of the same file into a table of the same store
  writers      - 1, 2 and 4 processes each ingesting --files five-row files: commits per second

    .venv/bin/python bench/lake.py [--big] [--rows 1000000] [--files 20] [--runs 9]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics import access, lake, store
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.seed import first_start as seed
from metrics.uploads import csv_file, ingest, observations
from tests import services


def _bench_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


board_bench = _bench_module("board")
ingest_bench = _bench_module("ingest")
TODAY = board_bench.TODAY


@contextmanager
def store_env(settings: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(settings)
    try:
        yield
    finally:
        lake.forget()
        os.environ.clear()
        os.environ.update(saved)


def median(action: Callable[[], object], runs: int) -> float:
    return float(board_bench.median_seconds(action, runs))


def reads(path: Path, runs: int) -> dict[str, float]:
    with store.connect(path) as con:
        ids = [e.definition.id for e in catalog.board_entries(con, TODAY)]
        query = median(lambda: observations.values_in_force(con, ids), runs)

    def view() -> board.BoardView:
        with store.connect(path, read_only=True) as con:
            return board.view(con, TODAY)

    whole = median(view, runs)
    _, warm, _ = board_bench.page_times(path, runs)
    return {"query": query, "view": whole, "warm": warm}


def load(csv: Path, path: Path, runs: int) -> dict[str, float]:
    """The CSV through the app's ingest against DuckDB's read_csv into the same store."""

    def read_csv() -> None:
        with store.connect(path) as con:
            con.execute("DROP TABLE IF EXISTS bench_read")
            con.execute("CREATE TABLE bench_read AS SELECT * FROM read_csv(?)", [str(csv)])

    raw = median(read_csv, runs)
    with store.connect(path) as con:
        con.execute("DROP TABLE IF EXISTS bench_read")
        person = access.require_person(con, "ivan.ops@example.com")  # the team that supplies these metrics
    limits = csv_file.Limits(max_bytes=10**10, max_rows=10**8)
    samples = []
    for index in range(runs):
        copy = csv.with_name(f"bench-{index}.csv")
        copy.write_bytes(csv.read_bytes() + b"\n" * index)  # new bytes each time: not a duplicate
        started = time.perf_counter()
        result = ingest.ingest(
            None, copy.name, person, path=path, csv_path=copy, limits=limits, today=TODAY, source="cli"
        )
        samples.append(time.perf_counter() - started)
        assert result.outcome == "accepted", result.message
    return {"read_csv": raw, "ingest": statistics.median(samples)}


# A command-line writer: python -c WRITER WORKER FILES PREFIX ingests FILES five-row files named
# PREFIX-WORKER-N.csv (bench/cluster_load.py runs it too).
WRITER = (
    "import datetime as dt, sys\n"
    "from metrics import access, store\n"
    "from metrics.uploads import ingest\n"
    "worker, files, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]\n"
    "with store.connect() as con:\n"
    "    uma = access.require_person(con, 'uma.upload@example.com')\n"
    "for n in range(files):\n"
    "    rows = ''.join(f'sessions,{dt.date(2026, 11, 16) - dt.timedelta(weeks=r)},"
    "{250000 + worker * 100000 + n * 10 + r}\\n' for r in range(5))\n"
    "    body = ('metric_id,period_start,value\\n' + rows).encode()\n"
    "    result = ingest.ingest(body, f'{prefix}-{worker}-{n}.csv', uma, source='cli')\n"
    "    assert result.outcome == 'accepted', result.message\n"
)


def writers(env: dict[str, str], path: Path, counts: list[int], files: int) -> dict[int, float]:
    """Commits per second with N processes each ingesting ``files`` five-row files at once."""
    found = {}
    settings = {**os.environ, **env, "SCORECARD_DB": str(path)}
    for count in counts:
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(1000 * count + w), str(files), "w"], cwd=ROOT, env=settings
            )
            for w in range(count)
        ]
        assert [p.wait() for p in procs] == [0] * count
        found[count] = count * files / (time.perf_counter() - started)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--big", action="store_true", help="add ~10M observations to both stores")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the ingest CSV")
    parser.add_argument("--files", type=int, default=20, help="five-row files per writer")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    os.environ["SCORECARD_TODAY"] = TODAY.isoformat()
    os.environ["SCORECARD_LOCK_TIMEOUT"] = "120"
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        running = services.up(folder / "services")
        try:
            lake_env = {**running.settings("scorecard", "bench"), "SCORECARD_STORE": "ducklake"}
            file_env = {"SCORECARD_STORE": "file"}
            path = folder / "bench.duckdb"
            csv = folder / "upload.csv"
            ingest_bench.write_csv(csv, args.rows)
            results: dict[str, dict[str, Any]] = {}
            for name, env in (("file", file_env), ("lake", lake_env)):
                with store_env(env):
                    started = time.perf_counter()
                    seed.initialise(path, demo_data=True)
                    if args.big:
                        board_bench.add_bulk(path)
                    with store.connect(path) as con:
                        rows = store.table_counts(con)["observations"]
                    print(f"{name}: {rows:,} observations loaded in {time.perf_counter() - started:.1f} s")
                    results[name] = reads(path, args.runs)
                    results[name].update(load(csv, path, 3))
                    results[name]["writers"] = writers(env, path, [1, 2, 4], args.files)
        finally:
            services.down(folder / "services")
    file, on_lake = results["file"], results["lake"]
    print(f"\nmedians of {args.runs} runs (ingest: 3 runs of {args.rows:,} rows)")
    print(f"{'':26}{'file':>10}{'lake':>10}{'lake/file':>11}")
    for key, label in (
        ("query", "board query"),
        ("view", "board view (unit of work)"),
        ("warm", "warm page rerun"),
    ):
        print(
            f"{label:26}{file[key] * 1000:8.0f}ms{on_lake[key] * 1000:8.0f}ms{on_lake[key] / file[key]:10.2f}x"
        )
    for name, found in (("file", file), ("lake", on_lake)):
        print(
            f"ingest on {name}: {found['ingest']:.2f} s, DuckDB's read_csv into the same store "
            f"{found['read_csv']:.2f} s: {found['ingest'] / found['read_csv']:.2f}x"
        )
    for count in (1, 2, 4):
        print(
            f"{count} writer(s) of five-row files: file {file['writers'][count]:.1f}/s, "
            f"lake {on_lake['writers'][count]:.1f}/s"
        )


if __name__ == "__main__":
    main()
