"""Upload history: every attempt with its outcome, its problems and its values."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
import ui.upload
from metrics import access
from metrics.uploads import ingest

person = ui.page_person("view_uploads")
st.title("Upload history")
ui.show_flash()

teams, metric_ids = ui.upload.history_filters()
team_col, metric_col = st.columns(2)
team = team_col.selectbox(
    "Team", [None, *teams], format_func=lambda t: "All teams" if t is None else teams[t]
)
metric = metric_col.selectbox(
    "Metric", [None, *metric_ids], format_func=lambda m: "All metrics" if m is None else m
)

history = ui.upload.history(team, metric)
if history is None or history.empty:
    st.info("No uploads match.")
    st.stop()
st.dataframe(history, hide_index=True)

chosen = st.selectbox(
    "Open an upload", list(history["upload"]), format_func=lambda u: f"Upload {u}", key="open-upload"
)
row = history[history["upload"] == chosen].iloc[0]
st.subheader(f"Upload {chosen}: {ui.literal(str(row['file']))}")  # a file name is text, never Markdown
st.caption(f"{row['outcome']} · {ui.literal(str(row['by']))} · {row['at']:%d %b %Y %H:%M} UTC")
if row["outcome"] == "rejected":
    recheck = ui.run(lambda: ingest.recheck(int(chosen)))
    if recheck is not None and recheck.outcome == "rejected":
        ui.upload.error_report(recheck, key=f"history-{chosen}")
    elif recheck is not None:
        st.success("Checked again against today's definitions: this file would now pass.")
else:
    st.dataframe(ui.upload.stored_values(int(chosen)), hide_index=True)
    in_force = row["outcome"] == "accepted" and pd.isna(row["retracted"])
    retract = (
        in_force
        and access.can(person, "retract_upload")
        and st.button(
            "Retract this upload", help="Its values leave the board; the values they replaced come back."
        )
    )
    if retract:
        ui.act(
            lambda con: ingest.retract(con, int(chosen), person),
            f"Upload {chosen} retracted; the values it replaced are back on the board.",
        )
