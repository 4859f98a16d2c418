"""Board page cost, as ratios measured in one run, on the demo or on 10 million stored observations.

Builds a database in a temporary folder, then times (median of N runs):
  bare     - the one query behind the board (values in force for every agreed metric)
  view     - open the file, read the catalog, run the query, build every tile, the budget, the timeline
  figures  - every area's tiles and trends as the HTML the board sends (metrics/board/cards.py)
  page     - the board page in Streamlit's AppTest: cold (first run, and right after an ingest)
             and warm (a rerun with nothing new); this is the page's server time
  pack     - the whole board pack as PDF (gather + draw) and as HTML
  browser  - (--browser) headless chromium: navigation until every tile and chart is drawn, cold
             (a new browser profile) and warm (a reload), beside the board pack's HTML of the
             same period drawn from a file; median and spread over --rounds
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics import clock, store
from metrics.board import cards
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.packs import gather as pack
from metrics.seed import first_start as seed
from metrics.uploads import observations
from ui import charts

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


def board_html(view: board.BoardView) -> list[str]:
    """What the board page sends for its tiles and trends: every area's cards and small multiples."""
    made = []
    for area in catalog.AREAS:
        tiles = view.area(area)
        made.append(cards.cards_html([cards.card(t, view.period) for t in tiles], label=area))
        trends = [tr for t in tiles if (tr := cards.trend(t, view.timeline)) is not None]
        made.append(cards.trends_html(trends, label=area))
    return made


def _spread(samples: list[float]) -> str:
    return f"median {statistics.median(samples):.2f} s ({min(samples):.2f}-{max(samples):.2f} s, n={len(samples)})"


def _board_drawn(page: Any, cards: int, trends: int) -> None:
    """Every tile and trend chart on the page, and Streamlit done running."""
    page.locator(".sc-card").nth(cards - 1).wait_for(timeout=60_000)
    if trends:
        page.locator(".sc-trend img").nth(trends - 1).wait_for(timeout=60_000)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=60_000)


def browser_times(path: Path, pack_html: bytes, rounds: int) -> dict[str, list[float]]:
    """Seconds from navigation until every tile and trend chart is drawn, in headless chromium
    at 1366x768: the board cold (a new browser profile: empty cache), warm (a reload), and
    the board pack's HTML of the same period drawn from a file, alternating, ``rounds`` times."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, free_port

    with store.connect(path) as con:
        tiles = len(board.view(con, TODAY).tiles)
    cards, trends = tiles + 1, tiles  # the error budget is a card too; every metric has a trend
    pack_file = path.with_suffix(".pack.html")
    pack_file.write_bytes(pack_html)
    port = free_port()
    env = {**os.environ, "SCORECARD_DB": str(path), "SCORECARD_TODAY": TODAY.isoformat()}
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port)]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    times: dict[str, list[float]] = {"cold": [], "warm": [], "pack": []}
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport={"width": 1366, "height": 768})
            for _ in range(60):  # wait for the server, and let it fill its caches once
                try:
                    page.goto(url, timeout=2000)
                    _board_drawn(page, cards, trends)
                    break
                except Exception:
                    time.sleep(0.5)
            page.close()
            for _ in range(rounds):
                context = chromium.new_context(viewport={"width": 1366, "height": 768})
                page = context.new_page()
                started = time.perf_counter()
                page.goto(url)
                _board_drawn(page, cards, trends)
                times["cold"].append(time.perf_counter() - started)
                started = time.perf_counter()
                page.reload()
                _board_drawn(page, cards, trends)
                times["warm"].append(time.perf_counter() - started)
                started = time.perf_counter()
                page.goto(pack_file.as_uri())
                page.locator(".sc-card").nth(tiles - 1).wait_for(timeout=30_000)
                times["pack"].append(time.perf_counter() - started)
                context.close()
            chromium.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--big", action="store_true", help="add ~10M observations (takes a minute)")
    parser.add_argument("--browser", action="store_true", help="also time headless chromium")
    parser.add_argument("--rounds", type=int, default=7, help="browser rounds (cold, warm, pack each)")
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
        figures = median_seconds(lambda: board_html(built), args.runs)
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
        with store.connect(path) as con:
            same_period = pack.build(pack.gather(con, TODAY, built.period), "html")
        drawn = browser_times(path, same_period, args.rounds) if args.browser else None
    print(f"observations: {rows:,}; board metrics: {len(ids)}; runs: {args.runs}")
    print(f"bare query               {bare * 1000:8.1f} ms   1.00x")
    print(f"open + view (tiles)      {full * 1000:8.1f} ms   {full / bare:5.2f}x bare")
    print(f"tiles + trends as HTML   {figures * 1000:8.1f} ms   {figures / bare:5.2f}x bare")
    print(f"same as plotly figures   {plotly_figures * 1000:8.1f} ms   {plotly_figures / bare:5.2f}x bare")
    print(f"page, first run          {first * 1000:8.1f} ms   {first / bare:5.2f}x bare")
    print(f"page, warm rerun         {warm * 1000:8.1f} ms   {warm / bare:5.2f}x bare   (goal <= 50 ms)")
    print(f"page, after an ingest    {cold * 1000:8.1f} ms   {cold / bare:5.2f}x bare   (goal <= 300 ms)")
    print(f"pack PDF (gather+draw)   {pdf * 1000:8.1f} ms   {pdf / bare:5.2f}x bare   (goal < 10 s)")
    print(f"pack HTML (draw)         {html * 1000:8.1f} ms   {html / bare:5.2f}x bare")
    if drawn is not None:
        pack_draw = statistics.median(drawn["pack"])
        print(f"chromium at 1366x768, {args.rounds} rounds, until every tile and trend is drawn:")
        print(f"  board pack HTML (file)  {_spread(drawn['pack'])}")
        for name, goal in (("cold", "goal <= 2.5 s"), ("warm", "goal <= 1.0 s and <= 4x the pack")):
            ratio = statistics.median(drawn[name]) / pack_draw
            print(f"  board, {name:<16} {_spread(drawn[name])}   {ratio:5.1f}x the pack   ({goal})")


if __name__ == "__main__":
    main()
