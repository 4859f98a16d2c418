"""Board page cost, as ratios measured in one run, on the demo or on 10 million stored observations.

Builds a database in a temporary folder, then times (median of N runs):
  bare     - the one query behind the board (values in force for every agreed metric)
  view     - open the file, read the catalog, run the query, build every tile, the budget, the timeline
  figures  - build every area's trend chart (the Vega-Lite description the board draws) from the tiles
  page     - the board page in Streamlit's AppTest: cold (first run, and right after an ingest)
             and warm (a rerun with nothing new); this is the page's server time
  pack     - the whole board pack as PDF (gather + draw) and as HTML
  browser  - (--browser) headless chromium: navigation until every tile and chart is drawn
and prints each against the bare query.

    .venv/bin/python bench/board.py                 # the demo (two years, 24 metrics)
    .venv/bin/python bench/board.py --big           # ~10M observations: 200 metrics x 5 years x daily
                                                    # and weekly values x segments
    .venv/bin/python bench/board.py --big --browser
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics import clock, store
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.packs import gather as pack
from metrics.seed import first_start as seed
from metrics.uploads import observations
from ui import charts, trend_spec

TODAY = dt.date(2026, 11, 23)
OTHER_METRICS = 176  # with the 24 agreed ones: 200 metric ids
SEGMENTS = 25
DAYS = 5 * 365


def median_seconds(action: Callable[[], object], runs: int) -> float:
    action()  # warm up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def add_bulk(path: Path) -> None:
    """~10M more observations: for every one of 200 metric ids, 5 years of daily values in
    SEGMENTS segments and weekly values; the 176 metrics the board does not show also get
    totals. The board's own totals stay the demo's, so its numbers are the known ones."""
    with store.connect(path) as con, store.transaction(con):
        upload = observations.add_upload(
            con,
            original=b"bulk",
            file_name="bulk.csv",
            uploaded_by="ivan.ops@example.com",
            source="bench",
            outcome="accepted",
            row_count=None,
        )
        agreed = [e.definition.id for e in catalog.board_entries(con, TODAY)]
        ids = agreed + [f"other_metric_{i:03d}" for i in range(OTHER_METRICS)]
        con.execute("CREATE TEMP TABLE ids AS SELECT unnest(?) AS metric_id", [ids])
        first = TODAY - dt.timedelta(days=DAYS)
        recorded = clock.now()
        # Daily values per segment, for every metric.
        con.execute(
            "INSERT INTO observations SELECT i.metric_id, CAST(? AS DATE) + CAST(d.range AS INTEGER), "
            "'segment_' || s.range, random() * 100, NULL, ?, ? "
            "FROM ids i, range(?) d, range(?) s",
            [first, upload, recorded, DAYS, SEGMENTS],
        )
        # Weekly totals and segments for the metrics the board does not show.
        con.execute(
            "INSERT INTO observations SELECT i.metric_id, "
            "CAST(date_trunc('week', CAST(? AS DATE)) AS DATE) + 7 * CAST(w.range AS INTEGER), "
            "CASE WHEN s.range = 0 THEN '' ELSE 'segment_' || s.range END, random() * 100, NULL, ?, ? "
            "FROM ids i, range(?) w, range(?) s WHERE i.metric_id LIKE 'other_metric_%'",
            [first, upload, recorded, DAYS // 7, SEGMENTS + 1],
        )


def page_times(path: Path, runs: int) -> tuple[float, float, float]:
    """(first run, warm rerun, rerun right after an ingest) of the board page, in seconds."""
    from streamlit.testing.v1 import AppTest

    os.environ["SCORECARD_DB"] = str(path)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    assert not at.exception, [e.value for e in at.exception]
    warm = median_seconds(at.run, runs)
    cold = []
    for index in range(max(3, runs // 3)):
        with store.connect(path) as con, store.transaction(con):  # an ingest: the file changes
            con.execute(
                "INSERT INTO audit_log VALUES (?, 'bench', 'ingest', ?, NULL)", [clock.now(), str(index)]
            )
        started = time.perf_counter()
        at.run()
        cold.append(time.perf_counter() - started)
    return first, warm, statistics.median(cold)


def browser_time(path: Path) -> float:
    """Seconds from navigation until every tile and every trend chart is drawn (headless chromium)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, free_port

    port = free_port()
    env = {**os.environ, "SCORECARD_DB": str(path), "SCORECARD_TODAY": TODAY.isoformat()}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport={"width": 1366, "height": 768})
            for _ in range(60):  # wait for the server, and let it fill its caches once
                try:
                    page.goto(f"http://127.0.0.1:{port}", timeout=2000)
                    page.get_by_test_id("stMetric").nth(24).wait_for(timeout=60_000)
                    break
                except Exception:
                    time.sleep(0.5)
            samples = []
            for _ in range(3):
                started = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}")
                page.get_by_test_id("stMetric").nth(24).wait_for(timeout=30_000)
                page.locator("[data-testid='stVegaLiteChart'] svg").nth(6).wait_for(timeout=30_000)
                page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=30_000)
                samples.append(time.perf_counter() - started)
            chromium.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--big", action="store_true", help="add ~10M observations (takes a minute)")
    parser.add_argument("--browser", action="store_true", help="also time headless chromium")
    args = parser.parse_args()
    os.environ["SCORECARD_TODAY"] = TODAY.isoformat()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        seed.initialise(path, demo_data=True)
        if args.big:
            started = time.perf_counter()
            add_bulk(path)
            print(f"bulk load: {time.perf_counter() - started:.1f} s")
        with store.connect(path) as con:
            ids = [e.definition.id for e in catalog.board_entries(con, TODAY)]
            rows = store.table_counts(con)["observations"]
            bare = median_seconds(lambda: observations.values_in_force(con, ids), args.runs)

        def view() -> board.BoardView:
            with store.connect(path) as con:
                return board.view(con, TODAY)

        built = view()
        full = median_seconds(view, args.runs)
        figures = median_seconds(
            lambda: [trend_spec.area_trends_spec(built.area(a), built.timeline) for a in catalog.AREAS],
            args.runs,
        )
        plotly_figures = median_seconds(
            lambda: [charts.area_trends(built.area(a), built.timeline) for a in catalog.AREAS], args.runs
        )
        with store.connect(path) as con:
            data = pack.gather(con, TODAY, board.parse_period("2026-Q3"))

        def whole_pdf() -> bytes:
            with store.connect(path) as con:
                return pack.build(pack.gather(con, TODAY, board.parse_period("2026-Q3")), "pdf")

        pdf = median_seconds(whole_pdf, 3)
        html = median_seconds(lambda: pack.build(data, "html"), 3)
        first, warm, cold = page_times(path, args.runs)
        drawn = browser_time(path) if args.browser else None
    print(f"observations: {rows:,}; board metrics: {len(ids)}; runs: {args.runs}")
    print(f"bare query               {bare * 1000:8.1f} ms   1.00x")
    print(f"open + view (tiles)      {full * 1000:8.1f} ms   {full / bare:5.2f}x bare")
    print(f"area charts (Vega-Lite)  {figures * 1000:8.1f} ms   {figures / bare:5.2f}x bare")
    print(f"same as plotly figures   {plotly_figures * 1000:8.1f} ms   {plotly_figures / bare:5.2f}x bare")
    print(f"page, first run          {first * 1000:8.1f} ms   {first / bare:5.2f}x bare")
    print(f"page, warm rerun         {warm * 1000:8.1f} ms   {warm / bare:5.2f}x bare   (goal <= 50 ms)")
    print(f"page, after an ingest    {cold * 1000:8.1f} ms   {cold / bare:5.2f}x bare   (goal <= 300 ms)")
    print(f"pack PDF (gather+draw)   {pdf * 1000:8.1f} ms   {pdf / bare:5.2f}x bare   (goal < 10 s)")
    print(f"pack HTML (draw)         {html * 1000:8.1f} ms   {html / bare:5.2f}x bare")
    if drawn is not None:
        print(
            f"chromium, fully drawn    {drawn * 1000:8.1f} ms   {drawn / bare:5.2f}x bare   (goal <= 2.5 s)"
        )


if __name__ == "__main__":
    main()
