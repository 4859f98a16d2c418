"""The weekly check-in brief: what changed this week, for the CIO and CMO's meeting."""

from __future__ import annotations

import streamlit as st

import ui
import ui.brief
import ui.okrs

person = ui.page_person("manage_okrs")
st.title("Weekly check-in brief", anchor=False)
st.caption(
    "Against the week before: metrics that changed status, key results that slipped, wins, stale data, "
    "definitions waiting for a signature or due for review, the timeline and the owners' notes."
)
ui.show_flash()
week = ui.brief.week_choice()
made = ui.run(lambda: ui.brief.gathered(week))
if made is None:
    st.stop()
ui.brief.downloads(made)
ui.brief.keep_button(made, person)
ui.brief.show(made)
st.subheader("Kept briefs", anchor=False)
ui.brief.kept_list()
