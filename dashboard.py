"""Shared Scorecard: entry point. Page config, who is signed in, and the pages they may see.

Every run looks the person up again (a removed or demoted person loses access at their
next click) and registers only the pages their roles allow, so another page's URL shows
nothing of it. Writes are refused in metrics/ whatever the UI shows.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import ui
import ui.signin
from metrics import access

ICON = Path(__file__).resolve().parent / "assets" / "icon.png"  # served by the app itself, never fetched
st.set_page_config(page_title="Shared Scorecard", page_icon=str(ICON), layout="wide")

# (script, title, icon, action the person must be allowed to take to see the page)
PAGES: list[tuple[str, str, str, str]] = [
    ("pages/board.py", "Board", ":material/dashboard:", "view"),
    ("pages/journey.py", "Customer journey", ":material/conversion_path:", "view"),
    ("pages/reliability.py", "Reliability and security", ":material/shield:", "view"),
    ("pages/packs.py", "Board packs", ":material/picture_as_pdf:", "view"),
    ("pages/okrs.py", "Shared OKRs", ":material/flag:", "view"),
    ("pages/brief.py", "Weekly brief", ":material/summarize:", "manage_okrs"),
    ("pages/definitions.py", "Definitions", ":material/menu_book:", "view"),
    ("pages/glossary.py", "Glossary", ":material/dictionary:", "view"),
    ("pages/upload.py", "Upload", ":material/upload_file:", "upload"),
    ("pages/uploads.py", "Upload history", ":material/history:", "view_uploads"),
    ("pages/people.py", "People", ":material/group:", "manage_people"),
]

if ui.run(ui.ensure_database) is None or ui.run(ui.store_reachable) is None:
    st.stop()  # the reason is on the page (a bad setting, or the shared store not answering)
person = ui.signin.gate()  # draws the sign-in, picker or no-access page and stops when needed
allowed = [(script, title, icon) for script, title, icon, action in PAGES if access.can(person, action)]
visible = [
    st.Page(script, title=title, icon=icon, default=index == 0)
    for index, (script, title, icon) in enumerate(allowed)
]
if not visible:
    st.title("Shared Scorecard")
    st.info("Your account has no access yet. Please ask an admin to add you.")
    st.stop()
# Presentation mode (?present=1): the board full screen for a wall, no sidebar.
ui.readable_styles()
presenting = st.query_params.get("present") == "1"
navigation = st.navigation(visible, position="hidden" if presenting else "sidebar")
if not presenting:
    ui.signin.identity_sidebar(person)
navigation.run()
