"""A person uploads a good file and a bad one, in a real browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp

DATA = Path(__file__).resolve().parent.parent / "data"


def _open_upload(page: Page, app: RunningApp) -> None:
    page.goto(f"{app.url}/upload")
    expect(page.get_by_role("heading", name="Upload metric values")).to_be_visible(timeout=30_000)


def test_good_file_preview_then_store(page: Page, demo_app: RunningApp) -> None:
    _open_upload(page, demo_app)
    page.locator("input[type=file]").set_input_files(str(DATA / "good" / "weekly_restatement.csv"))
    expect(page.get_by_text("passed every check")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Restated values")).to_contain_text("1")
    page.get_by_role("button", name="Store 3 values").click()
    expect(page.get_by_text("Stored weekly_restatement.csv as upload")).to_be_visible(timeout=30_000)
    page.goto(demo_app.url)
    expect(page.locator(".sc-card").filter(has_text="Site uptime").first).to_contain_text(
        "99.41%", timeout=30_000
    )


def test_bad_file_shows_located_errors(page: Page, demo_app: RunningApp) -> None:
    _open_upload(page, demo_app)
    page.locator("input[type=file]").set_input_files(str(DATA / "bad" / "value_not_number.csv"))
    expect(page.get_by_text("was rejected: 5 problems")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Showing 5 of 5 located problems")).to_be_visible()
    expect(page.get_by_role("button", name="Download every problem (CSV)")).to_be_visible()
    expect(page.get_by_text("Traceback")).to_have_count(0)
