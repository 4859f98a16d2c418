"""A person reads an objective's progress on the OKR page and the latest weekly brief."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from metrics import store
from metrics.okrs import brief
from metrics.okrs import objectives as okrs
from tests.browser.conftest import RunningApp
from tests.conftest import TODAY

OBJECTIVE = "Grow repeat customers without risking uptime"


def test_okr_page_shows_an_objectives_progress(page: Page, demo_app: RunningApp) -> None:
    with store.connect(demo_app.db) as con:  # short-lived: the app waits its turn
        found = next(p for p in okrs.evaluate(con, TODAY) if p.objective.title == OBJECTIVE)
    assert found.progress is not None
    page.goto(f"{demo_app.url}/okrs")
    expect(page.get_by_role("heading", name="Shared OKRs")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name=OBJECTIVE)).to_be_visible(timeout=20_000)
    # the first card is the oldest objective, this one; its bar says how far it has come
    expect(page.get_by_text("Objective progress ").first).to_contain_text(
        f"Objective progress {found.progress:.0%} · "
    )
    expect(page.get_by_text("Repeat purchase rate", exact=False).first).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    page.screenshot(path=str(demo_app.log.parent / "okrs.png"), full_page=True)


def test_brief_page_shows_the_latest_week(page: Page, demo_app: RunningApp) -> None:
    week = brief.latest_week(TODAY)
    page.goto(f"{demo_app.url}/brief")
    expect(page.get_by_role("heading", name="Weekly check-in brief", exact=True)).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_role("heading", name=f"Weekly check-in brief, {week.label}")).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_role("heading", name="Key results that slipped")).to_be_visible()
    expect(page.get_by_text("Check-in on Grow repeat customers", exact=False)).to_be_visible()
    expect(page.get_by_text("Traceback")).to_have_count(0)
    page.screenshot(path=str(demo_app.log.parent / "brief.png"), full_page=True)
