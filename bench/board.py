"""Board page cost, as ratios measured in one run.

Builds a demo database in a temporary folder, then times (median of N runs):
  bare   - the one query behind the board (values in force for every agreed metric)
  tiles  - open the file, read the catalog, run the query, build every tile
  charts - build every area's trend figure from the tiles
and prints each against the bare query.

    .venv/bin/python bench/board.py [--runs 15]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics import board, catalog, charts, observations, seed, store

TODAY = dt.date(2026, 11, 23)


def median_seconds(action: Callable[[], object], runs: int) -> float:
    action()  # warm up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        seed.initialise(path, demo_data=True)
        with store.connect(path) as con:
            ids = [e.definition.id for e in catalog.board_entries(con, TODAY)]
            rows = store.table_counts(con)["observations"]
            bare = median_seconds(lambda: observations.values_in_force(con, ids), args.runs)

        def tiles() -> list[board.Tile]:
            with store.connect(path) as con:
                return board.tiles(con, TODAY)

        built = tiles()
        full = median_seconds(tiles, args.runs)
        areas = sorted({t.definition.area for t in built})
        figures = median_seconds(
            lambda: [charts.area_trends([t for t in built if t.definition.area == a]) for a in areas], args.runs
        )
    print(f"observations: {rows:,}; metrics: {len(ids)}; runs: {args.runs}")
    print(f"bare query            {bare * 1000:8.1f} ms   1.00x")
    print(f"open + tiles          {full * 1000:8.1f} ms   {full / bare:5.2f}x bare")
    print(f"area figures          {figures * 1000:8.1f} ms   {figures / bare:5.2f}x bare")


if __name__ == "__main__":
    main()
