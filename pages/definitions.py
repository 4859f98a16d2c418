"""The agreed catalog: what each metric means, who owns it and its sign-off state."""

from __future__ import annotations

import streamlit as st

import ui

st.title("Metric definitions")
st.caption("Every metric both IT and marketing signed. Hover a column header for its meaning.")
rows = ui.run(ui.definition_rows) or []
if not rows:
    st.info("The catalog is empty.")
else:
    st.dataframe(rows, hide_index=True)
