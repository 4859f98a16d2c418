"""Board packs: build the pack for a period, freeze it at period close, download frozen packs."""

from __future__ import annotations

import streamlit as st

import ui
import ui.board
import ui.packs

person = ui.page_person("view")
st.title("Board packs")
st.caption(
    "A pack holds a cover with the as-of date, the board, a page per area, the owners' notes, sign-off "
    "status and an appendix of definitions and the glossary. A frozen pack is stored once and never changes."
)
period, as_of = ui.board.period_controls(key="packs")
st.subheader(f"{period.label} ({period.dates}), numbers as known on {as_of:%d %b %Y}", anchor=False)
ui.packs.downloads(period, as_of)
ui.packs.freeze_button(period, as_of, person)
st.subheader("Frozen packs", anchor=False)
ui.run(ui.packs.frozen_list)
