"""What a person does first: open the board and read real numbers off it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import ROOT, RunningApp
from tests.known import W47_HEADLINE, W47_SHOWN

# Known values from the deterministic demo data for 2026-11-23 (seed 42).
KNOWN = W47_SHOWN


def _tile(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(".sc-card").filter(has_text=name).first


def test_board_shows_known_demo_values(page: Page, demo_app: RunningApp) -> None:
    page.goto(demo_app.url)
    expect(page.get_by_role("heading", name="Shared Scorecard")).to_be_visible(timeout=30_000)
    for name, value in KNOWN.items():
        expect(_tile(page, name)).to_contain_text(value, timeout=20_000)
    expect(page.get_by_text(W47_HEADLINE)).to_be_visible()
    expect(page.get_by_text("Traceback")).to_have_count(0)


def test_definitions_page_opens_from_its_url(page: Page, demo_app: RunningApp) -> None:
    page.goto(f"{demo_app.url}/definitions")
    expect(page.get_by_role("heading", name="Metric definitions")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_a_second_process_writes_while_the_app_serves_and_the_board_picks_it_up(
    page: Page, demo_app: RunningApp, tmp_path: Path
) -> None:
    page.goto(demo_app.url)
    expect(_tile(page, "Site uptime")).to_contain_text(W47_SHOWN["Site uptime"], timeout=30_000)
    restatement = tmp_path / "restate.csv"
    restatement.write_text(
        "metric_id,period_start,value,note\nsite_uptime,2026-11-16,99.41,restated after audit\n"
    )
    writer = subprocess.Popen(
        [sys.executable, "-m", "metrics", "ingest", str(restatement), "--user", "ivan.ops@example.com"],
        cwd=ROOT,
        env=demo_app.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Keep the app busy reading while the command line writes.
    for _ in range(3):
        page.reload()
        expect(page.get_by_role("heading", name="Shared Scorecard")).to_be_visible(timeout=30_000)
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert "Stored restate.csv" in out
    page.reload()
    expect(_tile(page, "Site uptime")).to_contain_text("99.41%", timeout=30_000)
