"""AppTest helpers: run the app as a given person, optionally on a given page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


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
