"""Every page, for every role at a laptop width and for three roles at a phone width (PHONE_ROLES):
no serious or critical WCAG 2.1 AA violation found by axe-core (bundled by the pinned
axe-playwright-python package, injected into the page); and the board's controls work from the
keyboard alone.

Where a violation sits in Streamlit's own markup and the app cannot change it, its selector is
excluded below with the reason, and listed in the README's accessibility section.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from metrics import access, store
from metrics.catalog import proposals
from tests.apptest import ONE_PER_ROLE, dashboard_pages
from tests.browser.conftest import RunningApp, start_app, stop_app


def _axe_js() -> Path:
    """axe-core as the pinned package ships it (the file only: we inject and run it ourselves)."""
    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec is not None and spec.origin is not None, "pip install -r requirements-dev.txt"
    return Path(spec.origin).with_name("axe.min.js")


AXE_JS = _axe_js()
DATA = Path(__file__).resolve().parent.parent / "data"
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
WIDTHS = {"laptop": (1366, 768), "phone": (390, 844)}
#: Every role at the laptop width. At the phone width the same pages rearrange, their content does
#: not change, so three roles cover every control a phone can show: the admin (every page but
#: sign-off), an approver (sign-off) and the board (the read-only view, the most likely on a phone).
#: (Each run takes about a minute: all six at both widths were a fifth of the suite's time.)
PHONE_ROLES = ("admin", "board", "it_approver")
SCANS = [("laptop", role) for role in sorted(ONE_PER_ROLE)] + [("phone", role) for role in PHONE_ROLES]

#: Streamlit's own markup the app cannot change: (rule, selector fragment, why)
EXCLUDED = [
    (
        "region",
        "stToolbar",
        "Streamlit's top bar sits outside any landmark; the app cannot wrap it.",
    ),
]


def _url_path(script: str) -> str:
    return "" if script.endswith("board.py") else Path(script).stem


def _violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE_JS))
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        RULE_TAGS,
    )
    return found


def _serious(found: list[dict[str, Any]]) -> list[str]:
    lines = []
    for v in found:
        if v["impact"] not in ("serious", "critical"):
            continue
        for node in v["nodes"]:
            if any(rule == v["id"] and fragment in node for rule, fragment, _ in EXCLUDED):
                continue
            lines.append(f"{v['id']} ({v['help']}): {node}")
    return lines


def _settled(page: Page) -> None:
    """The page drawn by the app's own run (its stylesheet is in: a fresh session's first run
    can be Streamlit's, without it), the run over, charts given a moment to draw."""
    expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('style')].some(s => s.textContent.includes('stCaptionContainer'))",
        timeout=60_000,
    )
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=60_000)
    page.wait_for_timeout(600)


@pytest.mark.parametrize(("width", "role"), SCANS)
def test_no_serious_accessibility_violation_on_any_page(
    page: Page, demo_app: RunningApp, role: str, width: str
) -> None:
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))  # type: ignore[arg-type]
    person = access.Person(ONE_PER_ROLE[role], role, None, (role,))
    problems: list[str] = []
    visited = 0
    for script, title, _icon, action in dashboard_pages():
        if not access.can(person, action):
            continue
        page.goto(f"{demo_app.url}/{_url_path(script)}?as={ONE_PER_ROLE[role]}")
        _settled(page)
        visited += 1
        problems += [f"{title}: {line}" for line in _serious(_violations(page))]
    assert visited >= 5, f"{role} could open only {visited} pages"
    assert not problems, f"{role} at {width}:\n" + "\n".join(problems)


def test_the_board_period_can_be_changed_with_the_keyboard_alone(page: Page, demo_app: RunningApp) -> None:
    page.goto(demo_app.url)
    _settled(page)
    period = page.get_by_role("button", name=re.compile(r"^Period: 2026-W47"))
    for _ in range(40):  # Tab until the period control has the focus, as a keyboard user would
        page.keyboard.press("Tab")
        if period.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("the period control is never reached with Tab")
    outline = period.evaluate("e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).boxShadow")
    assert outline.strip() not in ("none none", "none"), f"no visible focus on the period control: {outline}"
    page.keyboard.press("Enter")
    chooser = page.get_by_role("combobox", name="Period")
    expect(chooser).to_be_visible(timeout=10_000)
    chooser.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=re.compile(r"^Period: 2026-W46"))).to_be_visible(timeout=30_000)
    tile = page.locator("a.sc-card").first
    expect(tile).to_have_attribute("href", re.compile(r"period=2026-W46"), timeout=30_000)  # redrawn
    tile.focus()
    page.keyboard.press("Enter")  # a tile is a link: Enter opens its drill-down
    expect(page).to_have_url(re.compile(r"/journey\?.*period=2026-W46"), timeout=30_000)


def _tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until ``target`` (or something inside it) has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement || e.contains(document.activeElement)"):
            return
    pytest.fail(f"{target} is never reached with Tab")


def test_an_upload_with_the_keyboard_alone(page: Page, demo_app: RunningApp) -> None:
    page.goto(f"{demo_app.url}/upload")
    _settled(page)
    browse = page.get_by_test_id("stFileUploaderDropzone").locator("button")
    _tab_to(page, browse)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")  # the system's file dialog opens from the keyboard
    chooser.value.set_files(str(DATA / "good" / "weekly_restatement.csv"))
    expect(page.get_by_text("passed every check")).to_be_visible(timeout=30_000)
    store = page.get_by_role("button", name="Store 3 values")
    _tab_to(page, store)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Stored weekly_restatement.csv as upload")).to_be_visible(timeout=30_000)


@pytest.fixture(scope="module")
def pending_app(tmp_path_factory: pytest.TempPathFactory, _demo_template: Path) -> Iterator[RunningApp]:
    """The demo with a conversion-rate target change waiting for both signatures."""
    folder = tmp_path_factory.mktemp("pending")
    db = folder / "scorecard.duckdb"
    db.write_bytes(_demo_template.read_bytes())
    with store.connect(db) as con:
        priya = access.require_person(con, "priya.cio@example.com")
        proposals.propose_change(con, priya, "conversion_rate", {"target": 3.5}, "Raise the bar.")
    app = start_app(db, folder / "streamlit.log")
    yield app
    stop_app(app)


def test_a_sign_off_with_the_keyboard_alone(page: Page, pending_app: RunningApp) -> None:
    page.goto(f"{pending_app.url}/definitions?metric=conversion_rate&as=dana.it@example.com")
    _settled(page)
    expect(page.get_by_role("heading", name="Conversion rate", exact=True)).to_be_visible(timeout=30_000)
    sign_off_tab = page.get_by_role("tab", name="Sign-off")
    _tab_to(page, page.get_by_role("tablist").first)  # the tabs are one stop; arrows move between them
    for _ in range(6):
        if sign_off_tab.evaluate("e => e === document.activeElement"):
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    panel = page.get_by_role("tabpanel", name="Sign-off")
    expect(panel).to_be_visible(timeout=30_000)
    sign = panel.get_by_role("button", name="Sign for IT")
    _tab_to(page, sign)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed version 2 of conversion_rate for IT.")).to_be_visible(timeout=30_000)
