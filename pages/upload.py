"""Upload a metric CSV: checked against the agreed definitions, previewed, stored all or nothing."""

from __future__ import annotations

import hashlib

import streamlit as st

import ui
import ui.upload
from metrics.uploads import ingest

person = ui.page_person("upload")
st.title("Upload metric values")
st.caption(
    "A CSV with the columns metric_id, period_start, value and optionally segment and note "
    "(UTF-8, a header row, dates as YYYY-MM-DD at the start of the metric's period, numbers with a . "
    "decimal point). Every row is checked; a file is stored whole or not at all."
)
upload = st.file_uploader("Metric CSV", type=["csv"], key="metric_csv")
if upload is None:
    st.info("Choose a file to check it. Nothing is stored until you confirm.")
    st.stop()

data, name = upload.getvalue(), upload.name
digest = hashlib.sha256(data).hexdigest()
checked = st.session_state.get("upload_check")
if not checked or checked[0] != digest:
    with st.spinner(f"Checking {upload.name}…"):
        result = ui.run(lambda: ingest.ingest(data, name, person, dry_run=True, record_rejected=True))
    st.session_state["upload_check"] = (digest, result)
    st.session_state.pop("upload_stored", None)
result = st.session_state["upload_check"][1]
if result is None:
    st.stop()

stored = st.session_state.get("upload_stored")
if stored is not None and stored[0] == digest:
    (st.success if stored[1].outcome == "accepted" else st.warning)(ui.plain(stored[1].message))
elif result.outcome == "rejected":
    ui.upload.error_report(result, key=digest[:12])
else:
    ui.upload.preview(result)
    with st.form("store_upload"):
        confirm = st.form_submit_button(
            f"Store {result.row_count:,} values", type="primary", key="store-upload"
        )
    if confirm:
        with st.spinner("Storing…"):
            outcome = ui.run(lambda: ingest.ingest(data, name, person))
        if outcome is not None:
            st.session_state["upload_stored"] = (digest, outcome)
            st.rerun()
