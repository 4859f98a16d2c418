"""Shared OKRs: joint objectives, their key results' progress from the stored values, and wins."""

from __future__ import annotations

import streamlit as st

import ui
import ui.okrs
from metrics import access

person = ui.page_person("view")
st.title("Shared OKRs", anchor=False)
st.caption(
    "Each objective has one IT owner and one marketing owner and counts once both accept it. "
    "Progress is read from the agreed metrics' values, never typed in; the status compares it "
    "with the share of the period gone."
)
ui.show_flash()
found = ui.run(ui.okrs.objectives)
if found is None:
    st.stop()
people = ui.okrs.names()
accepted = [p for p in found if p.objective.accepted]
awaiting = [p for p in found if not p.objective.accepted]
if not found:
    st.info("No shared objectives yet.")
for op in accepted:
    ui.okrs.objective_card(op, people, person)
if awaiting:
    st.subheader("Awaiting both owners' acceptance", anchor=False)
    for op in awaiting:
        ui.okrs.objective_card(op, people, person)
if st.toggle("Show withdrawn objectives", key="okr-show-withdrawn"):
    ui.okrs.withdrawn_list(people)

st.subheader("Wins, celebrated together", anchor=False)
ui.okrs.wins_feed()

if access.can(person, "manage_okrs"):
    with st.expander("New shared objective", icon=":material/add:"):
        ui.run(lambda: ui.okrs.objective_form(person))
