"""The board-ready view in a real browser at 1366x768: headline without scrolling, drill-downs,
presentation mode, hovers and the board pack downloaded and read back."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Page, expect

from tests.browser.conftest import ROOT, RunningApp, start_app, stop_app
from tests.known import W47_HEADLINE, W47_SHOWN

KNOWN = W47_SHOWN
HEADLINE = (
    "Website sessions",
    "Repeat purchase rate",
    "Site uptime",
    "Error budget left",
    "IT effort on new work",
)


def _tile(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(".sc-card").filter(has_text=name).first


def test_the_headline_fits_a_1366x768_screen(page: Page, demo_app: RunningApp) -> None:
    page.goto(demo_app.url)
    expect(_tile(page, "IT effort on new work")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(W47_HEADLINE, exact=False)).to_be_visible()
    for name in HEADLINE:
        box = _tile(page, name).bounding_box()
        assert box is not None, name
        assert box["y"] >= 0 and box["y"] + box["height"] <= 768, f"{name} is not on the first screen: {box}"
    title = page.get_by_role("heading", name="Shared Scorecard").bounding_box()
    assert title is not None and title["y"] >= 40  # not hidden under the app's top bar
    expect(_tile(page, "Error budget left")).to_contain_text("21%")
    expect(page.get_by_text("Traceback")).to_have_count(0)


def test_a_tile_links_to_its_drilldown_which_opens_on_that_metric(page: Page, demo_app: RunningApp) -> None:
    page.goto(demo_app.url)
    tile = _tile(page, "Site uptime")
    expect(tile).to_contain_text(W47_SHOWN["Site uptime"], timeout=30_000)
    meaning = "The share of time our website and checkout were working"
    expect(tile.locator(".sc-name")).to_have_attribute("title", re.compile(meaning))  # on hover
    tile.click()
    expect(page).to_have_url(re.compile(r"/reliability\?.*metric=site_uptime"), timeout=30_000)
    assert "period=2026-W47" in page.url  # the address carries the board's period
    expect(page.get_by_role("heading", name="Site uptime")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(meaning, exact=False).first).to_be_visible()
    expect(page.get_by_text("2026-W47 (16 Nov – 22 Nov 2026)", exact=False)).to_be_visible()


def test_a_quarter_from_the_address_bar(page: Page, demo_app: RunningApp) -> None:
    page.goto(f"{demo_app.url}/?period=2026-Q3")
    expect(page.get_by_text("2026-Q3 (01 Jul – 30 Sep 2026)", exact=False)).to_be_visible(timeout=30_000)
    expect(_tile(page, "Website sessions")).to_contain_text("208,061")


def test_copy_link_opens_the_same_view_in_a_new_page(page: Page, demo_app: RunningApp) -> None:
    page.goto(f"{demo_app.url}/?period=2026-Q3")
    expect(page.get_by_text("2026-Q3 (01 Jul – 30 Sep 2026)", exact=False)).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Copy link").click()
    link = page.get_by_test_id("stCode").inner_text().strip()
    assert link.startswith(f"{demo_app.url}/?") and "period=2026-Q3" in link, link
    other = page.context.new_page()
    other.goto(link)
    expect(other.get_by_text("2026-Q3 (01 Jul – 30 Sep 2026)", exact=False)).to_be_visible(timeout=30_000)
    expect(_tile(other, "Website sessions")).to_contain_text("208,061")


def test_presentation_mode_has_no_sidebar(page: Page, demo_app: RunningApp) -> None:
    page.goto(f"{demo_app.url}/?present=1")
    expect(_tile(page, "Site uptime")).to_contain_text(W47_SHOWN["Site uptime"], timeout=30_000)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # no page menu
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()  # nothing beside the board
    expect(page.get_by_text("every measure", exact=False)).to_have_count(0)


def test_a_wall_rotates_through_the_board_and_the_drill_downs(page: Page, demo_app: RunningApp) -> None:
    page.goto(f"{demo_app.url}/?present=1&rotate=10")
    expect(_tile(page, "Site uptime")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("next: Customer journey in 10 s")).to_be_visible()
    page.wait_for_url("**/journey?*", timeout=40_000)
    expect(page.get_by_role("heading", name="Customer journey").first).to_be_visible(timeout=30_000)
    assert "present=1" in page.url and "rotate=10" in page.url  # the wall stays a wall
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    page.wait_for_url("**/reliability?*", timeout=40_000)
    expect(page.get_by_text("next: Board in 10 s")).to_be_visible(timeout=30_000)


def test_the_drill_downs_open_from_their_urls(page: Page, demo_app: RunningApp) -> None:
    page.goto(f"{demo_app.url}/journey")
    expect(page.get_by_role("heading", name="Customer journey")).to_be_visible(timeout=30_000)
    expect(_tile(page, "Website sessions")).to_contain_text(W47_SHOWN["Website sessions"], timeout=30_000)
    expect(page.get_by_text("of sessions sign up", exact=False).first).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    page.goto(f"{demo_app.url}/reliability")
    expect(page.get_by_role("heading", name="Reliability and security")).to_be_visible(timeout=30_000)
    expect(_tile(page, "Site uptime")).to_contain_text(W47_SHOWN["Site uptime"], timeout=30_000)
    expect(_tile(page, "Error budget left")).to_contain_text("21%")
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_the_pack_downloads_and_reads_back_the_same_numbers(
    page: Page, demo_app: RunningApp, tmp_path: Path
) -> None:
    page.goto(f"{demo_app.url}/packs")
    button = page.get_by_role("button", name="Download the PDF pack")
    expect(button).to_be_visible(timeout=30_000)
    with page.expect_download(timeout=60_000) as download:
        button.click()
    pdf = tmp_path / "pack.pdf"
    download.value.save_as(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "p")], check=True
    )
    assert len(list(tmp_path.glob("p-*.png"))) == 2
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for value in KNOWN.values():
        assert value in text, value
    assert W47_HEADLINE in text


def test_presentation_mode_refreshes_when_new_data_lands(
    page: Page, tmp_path: Path, _demo_template: Path
) -> None:
    db = tmp_path / "wall.duckdb"  # a private app: this test changes the numbers
    db.write_bytes(_demo_template.read_bytes())
    app = start_app(db, tmp_path / "streamlit.log")
    try:
        _refreshes(page, app)
    finally:
        stop_app(app)


def _refreshes(page: Page, demo_app: RunningApp) -> None:
    page.goto(f"{demo_app.url}/?present=1")
    expect(_tile(page, "Website sessions")).to_contain_text(W47_SHOWN["Website sessions"], timeout=30_000)
    writer = (
        "import datetime as dt, pandas as pd\n"
        "from metrics import store\n"
        "from metrics.uploads import observations\n"
        "frame = pd.DataFrame({'metric_id': ['sessions'], 'period_start': [dt.date(2026, 11, 16)],"
        " 'segment': [''], 'value': [261234.0], 'note': [None]})\n"
        "with store.connect() as con, store.transaction(con):\n"
        "    upload = observations.add_upload(con, original=b'late', file_name='late.csv',"
        " uploaded_by='uma.upload@example.com', source='cli', outcome='accepted', row_count=1)\n"
        "    observations.append(con, frame, upload)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", writer],
        cwd=ROOT,
        env=demo_app.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # No reload: the wall screen picks the new number up by itself.
    expect(_tile(page, "Website sessions")).to_contain_text("261,234", timeout=40_000)


def test_the_board_fetches_nothing_from_elsewhere(page: Page, demo_app: RunningApp) -> None:
    """Every request the board makes goes to the app itself: the icon, fonts and charts included."""
    hosts: set[str | None] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname))
    page.goto(demo_app.url)
    expect(_tile(page, "IT effort on new work")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1_000)
    assert hosts <= {"127.0.0.1", "localhost", None}, hosts  # None: data addresses
    icon = page.locator("link[rel~='icon']").first.get_attribute("href") or ""
    assert (icon and not icon.startswith(("http://", "https://"))) or "127.0.0.1" in icon, icon


def test_at_1366_the_sidebar_is_open_the_headline_fits_and_no_tile_text_overflows(
    page: Page, demo_app: RunningApp
) -> None:
    page.goto(demo_app.url)
    expect(_tile(page, "IT effort on new work")).to_be_visible(timeout=30_000)
    # On a desktop width the page list and the acting person are there from the start.
    expect(page.get_by_test_id("stSidebarNav")).to_be_in_viewport(timeout=30_000)
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_in_viewport()
    for name in HEADLINE:
        box = _tile(page, name).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, f"{name} is below the first screen: {box}"
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.sc-card')].flatMap(card =>
            [...card.querySelectorAll('span')].filter(s => s.scrollWidth > card.clientWidth + 1
                || s.getBoundingClientRect().right > card.getBoundingClientRect().right + 1)
              .map(s => card.dataset.metric + ': ' + s.textContent))"""
    )
    assert not overflowing, overflowing
