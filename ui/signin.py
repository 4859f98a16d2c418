"""Who is at the keyboard: the sign-in page, the local-mode picker, the no-access page.

``gate()`` returns the acting person or stops the run, so dashboard.py registers
pages only for someone the people table knows, looked up again on every run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import NoReturn

import streamlit as st

import ui
from metrics.access import Person

log = logging.getLogger("scorecard.signin")
_LOGGED_AS = "_session_logged_as"

_PICKER = "acting_as_picker"


def gate() -> Person:
    """The acting person; otherwise draw the sign-in or no-access page and stop."""
    person = _signed_in_person() if ui.sign_in_configured() else _local_person()
    _log_session_start(person)
    return person


def _log_session_start(person: Person) -> None:
    """One line in the server log when a browser session starts acting as someone. The log,
    not the database: a board member's sign-in must not write to the database."""
    if st.session_state.get(_LOGGED_AS) == person.email:
        return
    st.session_state[_LOGGED_AS] = person.email
    mode = "signed in" if ui.sign_in_configured() else "local mode, acting"
    log.info("session started: %s as %s (%s)", mode, person.email, ", ".join(person.roles))


def _signed_in_person() -> Person:
    if not st.user.get("is_logged_in"):
        _sign_in_page()
    email = ui.signed_in_email()
    person = _lookup() if email else None
    if person is None:
        _no_access_page(f"You are signed in as {email or 'an account without a verified email'}")
    return person


def _lookup() -> Person | None:
    """The acting person, or None when the people table does not know them; a
    database problem is shown as such (not as 'no access') and stops the run."""
    found = ui.run(lambda: (ui.current_person(),))
    if found is None:
        _only("Shared Scorecard", lambda: None)
    assert found is not None
    return found[0]


def _only(title: str, draw: Callable[[], None]) -> NoReturn:
    """Register this one page and nothing else, draw it and stop. Whatever URL was asked
    for, nothing of another page is drawn or listed, and a menu an earlier run sent
    (Streamlit's legacy pages/ mode sends one on a fresh server) is replaced."""
    st.navigation([st.Page(draw, title=title, url_path="welcome", default=True)], position="hidden").run()
    st.stop()


def _providers() -> list[str | None]:
    """None for a provider configured directly in [auth], else the named [auth.NAME] ones."""
    settings = ui.sign_in_settings() or {}
    named = [str(name) for name, value in settings.items() if isinstance(value, Mapping)]
    return [None] if "client_id" in settings or not named else list[str | None](named)


def _sign_in_page() -> NoReturn:
    def draw() -> None:
        st.title("Shared Scorecard")
        st.write("Sign in with your company account to see the scorecard.")
        for provider in _providers():
            label = "Sign in" if provider is None else f"Sign in with {provider}"
            if st.button(label, type="primary", key=f"sign-in-{provider or 'default'}"):
                st.login() if provider is None else st.login(provider)

    _only("Sign in", draw)


def _no_access_page(who: str) -> NoReturn:
    def draw() -> None:
        st.title("Shared Scorecard")
        st.info(
            f"{ui.plain(who)}, but you do not have access to the Shared Scorecard yet. "
            "Please ask an admin to add you; once they have, reload this page."
        )
        if ui.sign_in_configured() and st.button("Sign out"):
            st.logout()

    _only("No access yet", draw)


def _local_person() -> Person:
    if not ui.local_mode_allowed():
        _only("Local mode refused", _local_mode_refused)
    asked = st.query_params.get("as")
    if asked and "acting_as" not in st.session_state:  # a board link opened in a new page
        st.session_state["acting_as"] = asked
    if st.query_params.get("present") != "1":  # a wall display keeps whoever was picked, and no sidebar
        _local_picker()
    person = _lookup()
    if person is None:
        _no_access_page(f"You are acting as {st.session_state.get('acting_as', ui.default_acting_email())}")
    st.query_params["as"] = person.email  # a reload or a shared link keeps acting as this person
    return person


def _local_mode_refused() -> None:
    st.title("Shared Scorecard")
    st.error(
        "Sign-in is not configured, and this server does not listen on 127.0.0.1 only. "
        "Local demo mode lets anyone act as anyone, so it runs on this machine alone. "
        "Configure sign-in in .streamlit/secrets.toml (see secrets.toml.example), or set "
        'server.address = "127.0.0.1".'
    )


def _picked() -> None:
    st.session_state["acting_as"] = st.session_state[_PICKER]


def _local_picker() -> None:
    """Sidebar choice of who you are, under a banner saying what that means."""
    everyone = ui.run(ui.active_people) or []
    labels = {p.email: f"{p.name} · {p.roles_label}" for p in everyone}
    current = st.session_state.get("acting_as", ui.default_acting_email())
    # The widget shows the acting person even when a test or a callback set it.
    st.session_state[_PICKER] = current if current in labels else None
    with st.sidebar:
        st.warning(
            "**Local demo mode.** Sign-in is not configured: anyone who can reach this page "
            "can act as anyone.",
            icon=":material/warning:",
        )
        st.selectbox(
            "Act as",
            list(labels),
            key=_PICKER,
            format_func=lambda email: labels.get(email, email),
            on_change=_picked,
            placeholder="Pick a person",
        )


def identity_sidebar(person: Person) -> None:
    """Who is acting, in the sidebar, and a way to sign out."""
    with st.sidebar:
        st.caption(f"Signed in as **{ui.plain(person.name)}** ({person.roles_label})")
        if ui.sign_in_configured() and st.button("Sign out", key="sign-out"):
            st.logout()
