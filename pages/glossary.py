"""The glossary: the words both sides use, in plain language, and the check that
every acronym in the catalog is explained."""

from __future__ import annotations

import streamlit as st

import ui
import ui.glossary
from metrics import access

person = ui.current_person()
st.title("Glossary")
st.caption("Terms and acronyms in plain words. Definitions and board tiles show these meanings on hover.")
ui.show_flash()
terms = ui.run(ui.glossary.terms) or {}
search = st.text_input("Search", placeholder="A term or a word in its meaning", key="glossary-search").lower()
rows = [
    {"Term": term, "Meaning": meaning}
    for term, meaning in terms.items()
    if search in term.lower() or search in meaning.lower()
]
if rows:
    st.dataframe(rows, hide_index=True)
else:
    st.info("No term matches." if terms else "The glossary is empty.")

st.subheader("Speak the same language", anchor=False)
missing = ui.run(ui.glossary.language_check)
if missing == []:
    st.success("Every acronym in the definitions in force and the open proposals is in the glossary.")
elif missing:
    st.warning(f"{len(missing)} use(s) of an acronym the glossary does not explain:")
    st.dataframe(
        [{"Metric": m.metric_name, "Where": m.field, "Acronym": m.acronym} for m in missing], hide_index=True
    )

if access.can(person, "edit_glossary"):
    ui.glossary.edit_form()
    if terms:
        ui.glossary.remove_form(terms)
