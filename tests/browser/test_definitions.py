"""A definition change from proposal to agreement, as three different people, in a real browser.

An executive proposes a new conversion-rate target; the board keeps the agreed target
and says "change pending"; the IT approver and then the marketing approver sign on the
definitions page; the board shows the new target. People are switched through the
sidebar's "Act as" picker of local demo mode, all in one browser session.
"""

from __future__ import annotations

import contextlib
import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import RunningApp

TIMEOUT = 30_000


def settle(page: Page) -> None:
    """Wait until the script run an action started has finished (Streamlit marks its
    state on the app root), so the next click lands on the page as it will stay."""
    app = page.get_by_test_id("stApp")
    # the run starts a moment after the click; a quick one may be over before we look
    with contextlib.suppress(AssertionError):
        expect(app).to_have_attribute("data-test-script-state", "running", timeout=1_000)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=TIMEOUT)


def choose(page: Page, scope: Locator, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label`` inside ``scope``."""
    scope.get_by_test_id("stSelectbox").filter(has_text=label).click()
    page.keyboard.type(option)  # long option lists are virtual: filter first
    page.get_by_role("option", name=option).first.click()
    settle(page)


def open_sidebar(page: Page) -> Locator:
    """The sidebar, expanded (it starts open on a desktop width, closed on a phone)."""
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.count() and expand.is_visible():
        expand.click()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_test_id("stSidebarNav")).to_be_in_viewport(timeout=TIMEOUT)
    return sidebar


def act_as(page: Page, name: str) -> None:
    sidebar = open_sidebar(page)
    choose(page, sidebar, "Act as", name)
    expect(sidebar).to_contain_text(f"Signed in as {name}", timeout=TIMEOUT)


def go_to(page: Page, title: str) -> None:
    open_sidebar(page).get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    settle(page)


def open_definition(page: Page, name: str, metric_id: str) -> None:
    go_to(page, "Definitions")
    expect(page.get_by_role("heading", name="Metric definitions")).to_be_visible(timeout=TIMEOUT)
    choose(page, page.get_by_test_id("stMain"), "Open a definition", f"{name} ({metric_id})")
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible(timeout=TIMEOUT)


def tab(page: Page, name: str) -> Locator:
    page.get_by_role("tab", name=name).click()
    panel = page.get_by_role("tabpanel", name=name)
    expect(panel).to_be_visible(timeout=TIMEOUT)
    return panel


def board_tile(page: Page, name: str) -> Locator:
    go_to(page, "Board")
    card = page.locator(".sc-card").filter(has_text=name).first
    expect(card).to_be_visible(timeout=TIMEOUT)
    return card


def test_a_change_goes_from_proposal_to_agreed_by_two_approvers_and_the_board_picks_it_up(
    page: Page, demo_app: RunningApp
) -> None:
    page.goto(f"{demo_app.url}/definitions?metric=conversion_rate")
    expect(page.get_by_role("heading", name="Conversion rate", exact=True)).to_be_visible(timeout=TIMEOUT)
    settle(page)

    # 1. An executive proposes a new target.
    act_as(page, "Priya Raman (CIO)")
    form = tab(page, "Propose a change")
    form.get_by_label("Target").fill("3.5")
    form.get_by_label("Target").press("Tab")
    form.get_by_label("Why this change?").fill("The new checkout lifts conversion; raise the bar.")
    form.get_by_role("button", name="Propose this version").click()
    expect(page.get_by_text("Proposed a new version of conversion_rate")).to_be_visible(timeout=TIMEOUT)

    # 2. Until both sides sign, the board keeps the agreed target and says a change is pending.
    tile = board_tile(page, "Conversion rate")
    expect(tile).to_contain_text("change pending", timeout=TIMEOUT)
    expect(tile).to_contain_text(re.compile(r"target 3\.20?%"))

    # 3. The IT approver sees it waiting, reads the difference and signs for IT.
    act_as(page, "Dana Okafor")
    open_definition(page, "Conversion rate", "conversion_rate")
    expect(page.get_by_text("Waiting for your signature")).to_be_visible(timeout=TIMEOUT)
    sign_off = tab(page, "Sign-off")
    expect(sign_off).to_contain_text("Target")
    expect(sign_off).to_contain_text("3.5")
    expect(sign_off.get_by_role("button", name="Sign for Marketing")).to_have_count(0)
    sign_off.get_by_role("button", name="Sign for IT").click()
    expect(page.get_by_text("Signed version 2 of conversion_rate for IT.")).to_be_visible(timeout=TIMEOUT)
    expect(board_tile(page, "Conversion rate")).to_contain_text("change pending", timeout=TIMEOUT)

    # 4. The marketing approver signs the same version: now it is agreed.
    act_as(page, "Sam Lindqvist")
    open_definition(page, "Conversion rate", "conversion_rate")
    sign_off = tab(page, "Sign-off")
    expect(sign_off).to_contain_text("IT: signed by Dana Okafor")
    sign_off.get_by_label("Comment (needed to decline)").fill("Agreed with the campaign plan.")
    sign_off.get_by_role("button", name="Sign for Marketing").click()
    expect(page.get_by_text("Signed version 2 of conversion_rate for Marketing.")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(page.get_by_text("Version 2 in force")).to_be_visible(timeout=TIMEOUT)
    history = tab(page, "History")
    expect(history).to_contain_text("sam.marketing@example.com")

    # 5. The board picks up the new target, and the change is no longer pending.
    tile = board_tile(page, "Conversion rate")
    expect(tile).to_contain_text(re.compile(r"target 3\.50?%"), timeout=TIMEOUT)
    expect(tile).not_to_contain_text("change pending")
    expect(page.get_by_text("Traceback")).to_have_count(0)


def test_board_members_see_definitions_without_any_control(page: Page, demo_app: RunningApp) -> None:
    page.goto(f"{demo_app.url}/definitions")
    expect(page.get_by_role("heading", name="Metric definitions")).to_be_visible(timeout=TIMEOUT)
    settle(page)
    act_as(page, "Bea Hartmann")
    open_definition(page, "Site uptime", "site_uptime")
    expect(page.get_by_role("tab", name="Sign-off")).to_be_visible()
    for name in ("Propose a change", "Retire"):
        expect(page.get_by_role("tab", name=name)).to_have_count(0)
    expect(page.get_by_text("Propose a new metric")).to_have_count(0)
    expect(page.get_by_role("button")).not_to_contain_text(["Sign for IT"])
