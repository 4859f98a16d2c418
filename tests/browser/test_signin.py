"""Sign in through a real OpenID Connect provider (oidc-provider-mock on 127.0.0.1),
as a board member and as an uploader, and check what each can and cannot do,
including typing another page's URL."""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import oidc_provider_mock
import pytest
import werkzeug.serving
from playwright.sync_api import Browser, Page, expect

from metrics import access, store
from tests.browser.conftest import RunningApp, start_app, stop_app

BOARD = "bea.board@example.com"
UPLOADER = "ivan.ops@example.com"  # it_operations supplies site_uptime
WAIT = 30_000


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The OIDC provider on a free port of 127.0.0.1; its URL."""
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def signin_app(
    tmp_path_factory: pytest.TempPathFactory, _demo_template: Path, provider: str
) -> Iterator[RunningApp]:
    """A fresh app with sign-in configured (a private secrets.toml), on the demo data."""
    folder = tmp_path_factory.mktemp("signin")
    db = folder / "scorecard.duckdb"
    db.write_bytes(_demo_template.read_bytes())
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "shared-scorecard-test"\n'
        'client_secret = "test-only"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    app = start_app(
        db,
        folder / "streamlit.log",
        extra_env={
            "STREAMLIT_SECRETS_FILES": str(secrets_file),
            # the provider and the app talk plain HTTP on 127.0.0.1 in this test only
            "AUTHLIB_INSECURE_TRANSPORT": "1",
        },
    )
    yield app
    stop_app(app)


def _sign_in(page: Page, app: RunningApp, email: str) -> None:
    page.goto(app.url)
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=sub]").fill(email)  # the provider's own form
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text(re.compile(r"^Signed in as"))).to_be_visible(timeout=WAIT)


def _nav_titles(page: Page) -> list[str]:
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    return [t.strip().splitlines()[-1] for t in links.all_inner_texts()]  # after the icon's name


def _fresh_page(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1366, "height": 768}).new_page()


def test_a_fresh_server_shows_a_signed_out_visitor_nothing_of_a_pages_url(
    page: Page, signin_app: RunningApp
) -> None:
    """The very first request on a fresh server goes straight to /upload: Streamlit's
    legacy pages/ mode would run that script without dashboard.py; ui turns it off."""
    page.goto(f"{signin_app.url}/upload")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("heading", name="Upload metric values")).to_have_count(0)
    expect(page.locator("input[type=file]")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    page.goto(f"{signin_app.url}/people")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("People and roles")).to_have_count(0)


def test_a_board_member_reads_and_cannot_reach_anything_else(
    browser: Browser, signin_app: RunningApp
) -> None:
    page = _fresh_page(browser)
    _sign_in(page, signin_app, BOARD)
    expect(page.get_by_text("Bea Hartmann")).to_be_visible()
    expect(page.locator(".sc-card").first).to_be_visible(timeout=WAIT)
    nav = _nav_titles(page)
    assert "Board" in nav and "Definitions" in nav
    assert not {"Upload", "Upload history", "People"} & set(nav), nav
    for path, heading in (
        ("upload", "Upload metric values"),
        ("uploads", "Upload history"),
        ("people", "People and roles"),
    ):
        page.goto(f"{signin_app.url}/{path}")
        expect(page.locator(".sc-card").first).to_be_visible(timeout=WAIT)  # the board instead
        expect(page.get_by_role("heading", name=heading)).to_have_count(0)
        expect(page.locator("input[type=file]")).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    page.context.close()


def test_an_uploader_uploads_and_cannot_manage_people(
    browser: Browser, signin_app: RunningApp, tmp_path: Path
) -> None:
    page = _fresh_page(browser)
    _sign_in(page, signin_app, UPLOADER)
    nav = _nav_titles(page)
    assert "Upload" in nav and "People" not in nav, nav
    page.goto(f"{signin_app.url}/people")
    expect(page.locator(".sc-card").first).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("heading", name="People and roles")).to_have_count(0)
    page.goto(f"{signin_app.url}/upload")
    expect(page.get_by_role("heading", name="Upload metric values")).to_be_visible(timeout=WAIT)
    csv = tmp_path / "uptime.csv"
    csv.write_text("metric_id,period_start,value\nsite_uptime,2026-11-16,99.41\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(csv))
    expect(page.get_by_text("passed every check")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name=re.compile(r"^Store 1 value")).click()
    expect(page.get_by_text("Stored uptime.csv as upload")).to_be_visible(timeout=WAIT)
    with store.connect(signin_app.db) as con:
        row = con.execute("SELECT uploaded_by FROM uploads WHERE file_name = 'uptime.csv'").fetchone()
    assert row == (UPLOADER,)
    page.context.close()


def test_removed_person_loses_access_at_the_next_click_despite_the_cookie(
    browser: Browser, signin_app: RunningApp
) -> None:
    page = _fresh_page(browser)
    _sign_in(page, signin_app, "sofia.sec@example.com")
    expect(page.locator(".sc-card").first).to_be_visible(timeout=WAIT)
    with store.connect(signin_app.db) as con:
        admin = access.require_person(con, "alex.admin@example.com")
        access.remove_person(con, admin, "sofia.sec@example.com")
    page.reload()  # same browser, same sign-in cookie
    expect(page.get_by_text("ask an admin")).to_be_visible(timeout=WAIT)
    expect(page.locator(".sc-card")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    page.context.close()


def test_an_unknown_email_is_asked_to_see_an_admin(browser: Browser, signin_app: RunningApp) -> None:
    page = _fresh_page(browser)
    page.goto(signin_app.url)
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=sub]").fill("stranger@example.com")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text("ask an admin")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("stranger@example.com")).to_be_visible()
    expect(page.locator(".sc-card")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider asks to confirm
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    page.context.close()


def test_no_secret_reaches_the_browser(page: Page, signin_app: RunningApp) -> None:
    page.goto(signin_app.url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    assert "test-only" not in page.content() and "cookie_secret" not in page.content()
    assert os.environ.get("AUTHLIB_INSECURE_TRANSPORT") is None  # only the app process got it
