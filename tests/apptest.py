"""AppTest helpers: run the app as a given person, optionally on a given page.

``app_as`` acts in local mode (``st.session_state["acting_as"]``); ``app_signed_in``
fakes a sign-in through OIDC (an ``[auth]`` secrets section plus ``AppTest.user``),
where the browser cannot choose who it is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))

#: One demo person per role (data/people.yaml).
ONE_PER_ROLE = {
    "admin": "alex.admin@example.com",
    "executive": "priya.cio@example.com",
    "it_approver": "dana.it@example.com",
    "marketing_approver": "sam.marketing@example.com",
    "uploader": "uma.upload@example.com",
    "board": "bea.board@example.com",
}

#: Enough of an [auth] section for the app to see that sign-in is configured.
FAKE_AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "apptest-only-not-a-secret",
    "client_id": "shared-scorecard-apptest",
    "client_secret": "apptest-only-not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def _like_a_served_app(init: Any) -> Any:
    """AppTest starts every run with Streamlit's legacy ``pages/`` mode on, which runs a
    switched-to page without dashboard.py (no sign-in, no role check). A served app
    leaves that mode on its first run (ui._leave_legacy_pages_mode); do the same here,
    so every AppTest run goes through dashboard.py as a browser's does."""

    def __init__(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    return __init__


if not getattr(PagesManager.__init__, "_scorecard_patched", False):
    PagesManager.__init__ = _like_a_served_app(PagesManager.__init__)  # type: ignore[method-assign]
    PagesManager.__init__._scorecard_patched = True  # type: ignore[attr-defined]


def dashboard_pages() -> list[tuple[str, str, str, str]]:
    """dashboard.PAGES as it is now: (script, title, icon, permission action) per page.

    Read from the source so tests cover pages added later without running Streamlit."""
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(target, ast.Name)
            and target.id == "PAGES"
            and node.value
        ):
            return [tuple(row) for row in ast.literal_eval(node.value)]
    raise AssertionError("dashboard.py has no PAGES list")


def registered_pages(at: AppTest) -> set[str]:
    """The scripts st.navigation registered in the last run (relative to the project)."""
    known = set()
    for script in PAGES:
        try:
            at.switch_page(script)
        except ValueError:
            continue
        known.add(script)
    at._page_hash = ""  # switch_page only records the choice; forget it
    return known


def open_url(at: AppTest, script: str) -> AppTest:
    """Ask for ``script``'s URL (/people for pages/people.py) as a browser typing it would,
    whether or not the page is registered; call ``run()`` next."""
    at._page_hash = calc_hash(Path(script).stem)
    return at


def app_as(email: str | None = None, page: str | None = None) -> AppTest:
    """The app after its first run, acting as ``email`` (local demo mode), on ``page``."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if email is not None:
        at.session_state["acting_as"] = email
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


def app_signed_in(email: str | None, page: str | None = None, **claims: Any) -> AppTest:
    """The app with sign-in configured, after its first run: signed in as ``email``
    (None = signed out), on ``page``. Extra claims go into ``st.user``."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.secrets["auth"] = dict(FAKE_AUTH)
    at.user = {"is_logged_in": False} if email is None else {"is_logged_in": True, "email": email, **claims}
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


@dataclass(frozen=True)
class ShownCard:
    """One board tile as the page drew it (metrics/board/cards.py's HTML), read back as text."""

    metric_id: str
    name: str
    value: str
    badge: str
    change: str
    small: str
    note: str
    href: str | None
    chart: str  # the sparkline's text alternative (its image's alt)

    @property
    def caption(self) -> str:
        return f"{self.badge} {self.small}"


class _CardReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict[str, str | None]] = []
        self._field: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if "sc-card" in classes:
            self.cards.append(
                {"metric_id": found.get("data-metric"), "href": found.get("href"), "chart": ""}
                | dict.fromkeys(("name", "value", "badge", "change", "small", "note"), "")
            )
        elif self.cards and tag == "img":
            self.cards[-1]["chart"] = found.get("alt") or ""
        for name in ("name", "value", "badge", "change", "small", "note", "hidden"):
            if f"sc-{name}" in classes:
                self._field.append(name)
                return
        if tag == "span":
            self._field.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._field:
            self._field.pop()

    def handle_data(self, data: str) -> None:
        name = next((f for f in reversed(self._field) if f), "")
        if self.cards and name and name != "hidden":
            self.cards[-1][name] = (self.cards[-1][name] or "") + data


def cards(at: Any) -> list[ShownCard]:
    """Every tile on the page, in order."""
    reader = _CardReader()
    for element in at.get("html"):
        if "sc-card" in element.value:
            reader.feed(element.value)
    stripped = [{k: (v.strip() if isinstance(v, str) else v) for k, v in c.items()} for c in reader.cards]
    return [ShownCard(**c) for c in stripped]  # type: ignore[arg-type]
