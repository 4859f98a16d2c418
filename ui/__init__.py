"""The UI package: the only non-page code that imports streamlit.

This module holds what every page needs (the database, the acting person, the one
place errors are shown); feature widgets live in ui/<feature>.py."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.runtime.pages_manager import PagesManager

from metrics import access, clock, config, store
from metrics.access import Person
from metrics.catalog import definitions as catalog
from metrics.errors import ScorecardError
from metrics.seed import first_start as seed

log = logging.getLogger("scorecard.ui")
T = TypeVar("T")

DEMO_PERSON = "alex.admin@example.com"
#: Local mode (no sign-in) lets anyone act as anyone, so it only runs on these addresses.
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1"})


def _leave_legacy_pages_mode() -> None:
    """Close a hole Streamlit leaves open when a ``pages/`` folder sits beside the entry script.

    Until the first ``st.navigation`` call in the server process, Streamlit treats
    ``pages/`` as a "legacy" multipage app and runs any page named in the URL
    directly, without dashboard.py and its role checks (we saw /people render for
    a signed-out browser on a fresh server). Every page imports ``ui`` before it
    draws anything, and the first script run is when this module is first
    imported: switch the legacy mode off and rerun, so dashboard.py decides.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_legacy_pages_mode()


@st.cache_resource(show_spinner="Preparing the database…")
def _initialised(path: str) -> bool:
    seed.initialise(Path(path))
    with store.connect(Path(path)) as con:
        added = access.ensure_first_admins(con)
    if added:
        log.info("first admins from SCORECARD_ADMINS: %s", ", ".join(added))
    return True


def ensure_database() -> Path:
    """Create, migrate and seed the database once per process (per path), and
    apply the first admins from configuration."""
    config.check_all()  # a bad setting is one sentence on the page, never an exception page
    path = config.database_path()
    _initialised(str(path))
    return path


def store_reachable() -> bool:
    """Whether the store answers (on the lake: its catalog gives the newest snapshot), so a page
    says "store unavailable" in one sentence instead of failing half-drawn."""
    store.data_fingerprint(config.database_path())
    return True


def run(action: Callable[[], T]) -> T | None:
    """Run a domain call; show a ScorecardError as a friendly message, anything else
    as a generic message with a reference id (the detail goes to the server log)."""
    try:
        return action()
    except ScorecardError as exc:
        st.error(f"**{exc.title}.** {plain(exc.message)}")
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("unexpected error, reference %s", reference)
        st.error(f"Something went wrong on our side. Reference: {reference}.")
    return None


_LINK_SYNTAX = re.compile(r"([\\\[\]])")


def plain(text: object) -> str:
    """``text`` safe inside Streamlit markdown: no link or image syntax survives, so a
    typed ``![x](https://…)`` can never make a browser fetch anything. (Markdown
    elements never render HTML unless asked to, which this app never does.)"""
    return _LINK_SYNTAX.sub(r"\\\1", str(text))


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def literal(text: object) -> str:
    """Text a person wrote, shown exactly as written: every markdown character escaped, so
    no link, image, emphasis, colour (``:red[…]``), icon or maths survives (never HTML)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


# ---------------------------------------------------------------- who is acting


def sign_in_settings() -> Mapping[str, Any] | None:
    """The ``[auth]`` section of ``.streamlit/secrets.toml``, or None for local mode."""
    try:
        section = st.secrets.get("auth")
    except StreamlitSecretNotFoundError:
        return None
    return section if isinstance(section, Mapping) and section else None


def sign_in_configured() -> bool:
    return sign_in_settings() is not None


def local_mode_allowed() -> bool:
    """Local mode only when the server listens on this machine alone."""
    return str(st.get_option("server.address") or "") in LOOPBACK_ADDRESSES


def signed_in_email() -> str | None:
    """The email claim of the signed-in user, or None (signed out, or the
    provider says the address is not verified)."""
    if not st.user.get("is_logged_in"):
        return None
    if st.user.get("email_verified") is False:
        return None
    email = st.user.get("email")
    return str(email) if isinstance(email, str) and email.strip() else None


def acting_email() -> str | None:
    """Who is acting: with sign-in configured, the signed-in email (never anything a
    browser can choose); in local mode, the choice kept in
    ``st.session_state["acting_as"]`` (default: the demo admin)."""
    if sign_in_configured():
        return signed_in_email()
    if not local_mode_allowed():
        return None
    return str(st.session_state.get("acting_as", default_acting_email()))


def default_acting_email() -> str:
    """Whom local mode acts as until someone is picked: the demo admin, or on a real
    installation (SCORECARD_DEMO=0) the first of SCORECARD_ADMINS."""
    if not config.demo_enabled() and (admins := access.configured_admins()):
        return admins[0]
    return DEMO_PERSON


def current_person() -> Person | None:
    """The acting person, looked up in the people table on every call, so someone
    removed or demoted loses access at their next click."""
    email = acting_email()
    if not email:
        return None
    path = config.database_path()
    return _person(str(path), store.data_fingerprint(path), email)


@st.cache_resource(max_entries=256, show_spinner=False)
def _person(path: str, fingerprint: tuple[int, ...], email: str) -> Person | None:
    """Cached on the file's fingerprint: any write to the database (a removal or a
    demotion included) changes it, so the next click looks the person up again."""
    with store.connect(Path(path), read_only=True) as con:
        return access.get_person(con, email)


def page_person(action: str = "view") -> Person:
    """For the top of a page: the acting person, if they may open it; otherwise the
    run stops and nothing of the page is drawn. dashboard.py registers only the pages
    a person may see; this second lock holds for any way of reaching a page script
    that skips dashboard.py."""
    person = current_person()
    if person is None or not access.can(person, action):
        st.stop()
    assert person is not None
    return person


def active_people() -> list[Person]:
    with store.connect() as con:
        return access.people(con)


def today() -> dt.date:
    return clock.today()


def definition_rows() -> list[dict[str, object]]:
    with store.connect() as con:
        return catalog.overview(catalog.entries(con, today()))


_FLASH = "flash"


def flash_and_rerun(message: str) -> None:
    """Keep a note for the next run and run the page again, so it shows what was just written."""
    st.session_state[_FLASH] = message
    st.rerun()


def show_flash() -> None:
    """Show (once) the note left by the last write on this page."""
    if message := st.session_state.pop(_FLASH, None):
        st.success(message)


def act(write: Callable[[store.Connection], object], done: str) -> None:
    """Run one write in a short-lived connection; on success flash ``done`` and rerun."""

    def attempt() -> bool:
        with store.connect() as con:
            write(con)
        return True

    if run(attempt):
        flash_and_rerun(done)


# Our own constant stylesheet, on every page: Streamlit draws captions at 60% opacity (#828180 on
# white, 3.9:1); drawn solid and darker they meet WCAG AA's 4.5:1 for small text, on white and on
# the sidebar's grey alike.
_READABLE_CSS = """<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #55585f; opacity: 1; }
[data-testid="stWidgetLabel"] p { color: #31333f; }
/* Tabs wrap onto a second line on a phone instead of scrolling sideways: every tab in sight, and
   no scrolling region for a keyboard to reach. */
[role="tablist"] { flex-wrap: wrap; overflow-x: visible; }
</style>"""


def readable_styles() -> None:
    st.markdown(_READABLE_CSS, unsafe_allow_html=True)
