"""Shared Scorecard: entry point. Page config, who is signed in, and the pages they may see.

A page a person may not see is not registered for them, so its URL shows nothing of it.
"""

from __future__ import annotations

import streamlit as st

import ui
from metrics import access

st.set_page_config(page_title="Shared Scorecard", page_icon=":material/handshake:", layout="wide")

# (script, title, icon, action the person must be allowed to take to see the page)
PAGES: list[tuple[str, str, str, str]] = [
    ("pages/board.py", "Board", ":material/dashboard:", "view"),
    ("pages/definitions.py", "Definitions", ":material/menu_book:", "view"),
]

ui.ensure_database()
person = ui.current_person()
visible = [
    st.Page(script, title=title, icon=icon, default=index == 0)
    for index, (script, title, icon, action) in enumerate(PAGES)
    if access.can(person, action)
]
if not visible:
    st.title("Shared Scorecard")
    st.info("Your account has no access yet. Please ask an admin to add you.")
    st.stop()
navigation = st.navigation(visible)
with st.sidebar:
    if person is not None:
        st.caption(f"Signed in as **{person.name}** ({person.roles_label}) — local demo mode")
navigation.run()
