"""What a person does first: open the board and read real numbers off it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from playwright.sync_api import Page, expect

from tests.browser.conftest import ROOT, RunningApp

# Known values from the deterministic demo data for 2026-11-23 (seed 42).
KNOWN = {"Site uptime": "99.92%", "Website sessions": "253,153", "Cost per lead": "$71.19"}


def _tile(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stMetric").filter(has_text=name).first


def test_board_shows_known_demo_values(page: Page, demo_app: RunningApp) -> None:
    page.goto(demo_app.url)
    expect(page.get_by_role("heading", name="Shared Scorecard")).to_be_visible(timeout=30_000)
    for name, value in KNOWN.items():
        expect(_tile(page, name)).to_contain_text(value, timeout=20_000)
    expect(page.get_by_text("14 on target")).to_be_visible()
    expect(page.get_by_text("Traceback")).to_have_count(0)


def test_definitions_page_opens_from_its_url(page: Page, demo_app: RunningApp) -> None:
    page.goto(f"{demo_app.url}/definitions")
    expect(page.get_by_role("heading", name="Metric definitions")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_a_second_process_writes_while_the_app_serves_and_the_board_picks_it_up(
    page: Page, demo_app: RunningApp
) -> None:
    page.goto(demo_app.url)
    expect(_tile(page, "Site uptime")).to_contain_text("99.92%", timeout=30_000)
    writer = textwrap.dedent("""
        import datetime as dt, pandas as pd
        from metrics import observations, store
        frame = pd.DataFrame({"metric_id": ["site_uptime"], "period_start": [dt.date(2026, 11, 16)],
                              "segment": [""], "value": [99.41], "note": ["restated after audit"]})
        with store.connect() as con, store.transaction(con):
            upload = observations.add_upload(con, original=b"restatement", file_name="restate.csv",
                uploaded_by="ivan.ops@example.com", source="cli", outcome="accepted", row_count=1)
            observations.append(con, frame, upload)
    """)
    # Keep the page busy reading while the other process writes.
    page.reload()
    result = subprocess.run(
        [sys.executable, "-c", writer],
        cwd=ROOT,
        env=demo_app.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    page.reload()
    expect(_tile(page, "Site uptime")).to_contain_text("99.41%", timeout=30_000)
    expect(_tile(page, "Site uptime")).to_contain_text("-0.", timeout=5_000)
