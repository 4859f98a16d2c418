"""Shared Scorecard: entry point. Page config, who is signed in, and the pages they may see."""

from __future__ import annotations

import streamlit as st

import ui

st.set_page_config(page_title="Shared Scorecard", page_icon=":material/handshake:", layout="wide")

ui.ensure_database()
person = ui.current_person()

pages = [
    st.Page("pages/board.py", title="Board", icon=":material/dashboard:", default=True),
    st.Page("pages/definitions.py", title="Definitions", icon=":material/menu_book:"),
]
navigation = st.navigation(pages)
with st.sidebar:
    if person is not None:
        st.caption(f"Signed in as **{person.name}** ({person.roles_label}) — local demo mode")
navigation.run()
