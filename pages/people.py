"""People and roles (admins only): who may use the scorecard and what they may do."""

from __future__ import annotations

from functools import partial

import streamlit as st

import ui
import ui.people
from metrics import access

st.title("People and roles")
st.caption(
    "Everyone here can open the scorecard; their roles decide what they see and do. "
    "A change applies at the person's next click."
)
admin = ui.page_person("manage_people")
if done := st.session_state.pop("people_done", None):
    st.success(ui.plain(done))
everyone = ui.run(ui.people.rows) or []
st.dataframe(everyone, hide_index=True)

teams = ui.run(ui.people.teams) or {}
# A new form version after each save empties it; a refused entry stays for correcting.
version = st.session_state.setdefault("person_form", 0)
with st.form(f"person-{version}"):
    st.subheader("Add a person or change their roles")
    email = st.text_input("Email (as they sign in)", key=f"person-email-{version}")
    name = st.text_input("Name", key=f"person-name-{version}")
    roles = st.multiselect(
        "Roles", access.ROLES, format_func=access.ROLE_LABELS.__getitem__, key=f"person-roles-{version}"
    )
    team = st.selectbox(
        "Team (uploaders send values for their team)",
        [None, *teams],
        format_func=lambda t: "No team" if t is None else teams[t],
        key=f"person-team-{version}",
    )
    saved = st.form_submit_button("Save person", type="primary", key="save-person")
if saved and (done := ui.run(lambda: ui.people.save(admin, email, name, roles, team))):
    st.session_state["people_done"] = done  # shown above the refreshed table
    st.session_state["person_form"] = version + 1
    st.rerun()

st.subheader("Take away access")
emails = [str(row["Email"]) for row in everyone]
leaving = st.selectbox("Person", emails, index=None, placeholder="Choose a person", key="leaving")
removing = st.button("Remove access", disabled=leaving is None)
if removing and leaving is not None and (done := ui.run(partial(ui.people.remove, admin, leaving))):
    st.session_state["people_done"] = done
    st.rerun()

with st.expander("What each role may do"):
    st.dataframe(ui.run(ui.people.permission_rows) or [], hide_index=True)
