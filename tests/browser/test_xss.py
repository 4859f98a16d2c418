"""Planted markup shows as text in a real browser: no <img> element is created and no
script runs, on every page (see tests/test_xss.py for what is planted where)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.apptest import dashboard_pages
from tests.browser.conftest import RunningApp, start_app, stop_app
from tests.browser.test_definitions import settle
from tests.test_xss import PAYLOAD, plant_payloads

WAIT = 30_000


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory, _demo_template: Path) -> Iterator[RunningApp]:
    folder = tmp_path_factory.mktemp("xss")
    db = folder / "scorecard.duckdb"
    db.write_bytes(_demo_template.read_bytes())
    plant_payloads(db)
    app = start_app(db, folder / "streamlit.log")  # local mode: the demo admin sees every page
    yield app
    stop_app(app)


def _no_markup_ran(page: Page, dialogs: list[str], where: str) -> None:
    assert page.locator("img[src='x']").count() == 0, f"{where}: an <img> element was created"
    assert not dialogs, f"{where}: a script ran: {dialogs}"


def test_planted_markup_is_text_on_every_page(page: Page, hostile_app: RunningApp) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(hostile_app.url)
    label = page.locator(".sc-card").filter(has_text=f"Uptime {PAYLOAD}")
    expect(label.first).to_be_visible(timeout=WAIT)  # the metric name, as typed
    expect(page.get_by_text(f"Note {PAYLOAD}").first).to_be_visible()
    _no_markup_ran(page, dialogs, "board")

    page.goto(f"{hostile_app.url}/uploads")
    heading = page.get_by_role("heading", name="Upload history")
    expect(heading).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(f"{PAYLOAD}.csv").first).to_be_visible(timeout=WAIT)  # the file name
    _no_markup_ran(page, dialogs, "upload history")

    for index, (script, *_) in enumerate(dashboard_pages()):
        page.goto(f"{hostile_app.url}/{Path(script).stem if index else ''}")  # the first is the default, at /
        expect(page.get_by_test_id("stMain")).to_be_visible(timeout=WAIT)
        settle(page)  # the page's script run is over: everything it draws is drawn
        expect(page.get_by_text("Page not found")).to_have_count(0)
        _no_markup_ran(page, dialogs, script)
