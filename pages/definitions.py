"""The catalog: what each metric means, who owns it, its versions and who signed what."""

from __future__ import annotations

import streamlit as st

import ui
import ui.definitions as defs
from metrics import access
from metrics.catalog import definitions as catalog

person = ui.current_person()
st.title("Metric definitions")
st.caption(
    "A metric counts only when one IT approver and one marketing approver have signed its exact "
    "wording. Hover the ? beside a text for the glossary terms it uses."
)
ui.show_flash()
found_view = ui.run(lambda: defs.catalog_view(person))
if found_view is None:
    st.stop()
view = found_view
names = {e.definition.id: e.definition.name for e in view.entries}
for v in view.awaiting:
    st.info(f"Waiting for your signature: **{defs.plain(names[v.metric_id])}**, version {v.version}.")
for e in view.due:
    st.warning(
        f"You own **{defs.plain(e.definition.name)}**: due for review since {e.definition.revisit:%d %b %Y}."
    )

search = st.text_input("Search", placeholder="Words in the name, meaning or calculation", key="def-search")
area_col, owner_col, status_col = st.columns(3)
areas = area_col.multiselect("Area", catalog.AREAS, format_func=str.capitalize, key="def-areas")
owners = sorted({o for e in view.entries for o in (e.definition.it_owner, e.definition.marketing_owner)})
owner = owner_col.selectbox(
    "Owner", ["", *owners], format_func=lambda o: view.people.get(o, o) or "Anyone", key="def-owner"
)
statuses = status_col.multiselect("Status", catalog.STATUSES, key="def-status")
found = catalog.find(view.entries, search, areas, owner or "", statuses)
st.dataframe(catalog.overview(found), hide_index=True)

if access.can(person, "propose_definition"):
    with st.expander("Propose a new metric"):
        defs.propose_new_form(view)

if not found:
    st.info("No definition matches these filters.")
    st.stop()

ids = [e.definition.id for e in found]
wanted = st.query_params.get("metric")
chosen = st.selectbox(
    "Open a definition",
    ids,
    index=ids.index(wanted) if wanted in ids else 0,
    format_func=lambda i: f"{names[i]} ({i})",
    key="def-open",
)
st.query_params["metric"] = chosen
entry = next(e for e in found if e.definition.id == chosen)
history = ui.run(lambda: defs.history(chosen))
if history is None:
    st.stop()

st.header(entry.definition.name, anchor=False)
st.badge(entry.status, color=defs.STATUS_COLOURS.get(entry.status, "gray"))
st.caption(
    f"Version {entry.version} in force"
    if entry.status != "proposed"
    else f"Version {entry.latest_version} proposed, never agreed: not on the board"
)
may_propose = access.can(person, "propose_definition")
labels = ["Definition", "Sign-off", "History", "Compare versions", "Discussion"]
if may_propose:
    labels += ["Propose a change"] + (["Retire"] if entry.status != "retired" else [])
tabs = dict(zip(labels, st.tabs(labels), strict=True))
with tabs["Definition"]:
    defs.definition_card(entry, view)
with tabs["Sign-off"]:
    defs.sign_off(history, person, view)
with tabs["History"]:
    defs.history_view(history, view)
with tabs["Compare versions"]:
    defs.compare(history)
with tabs["Discussion"]:
    defs.discussion(history, person, view)
if "Propose a change" in tabs:
    with tabs["Propose a change"]:
        defs.propose_change_form(history, view)
if "Retire" in tabs:
    with tabs["Retire"]:
        defs.retire_form(history)
