"""Upload widgets: the located error report and the preview before storing."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from metrics import exports, ingest

SHOWN_ERRORS = 200


def error_report(result: ingest.IngestResult, *, key: str) -> None:
    """Counts per rule, the first 200 failing cells, and all of them as a safe CSV."""
    st.error(ui.plain(result.message))
    counts = pd.DataFrame(
        sorted(result.counts.items(), key=lambda item: -item[1]), columns=["rule", "problems"]
    )
    st.dataframe(counts, hide_index=True, width="content")
    shown = result.errors.head(SHOWN_ERRORS)
    st.caption(
        f"Showing {len(shown):,} of {len(result.errors):,} located problems. "
        "Line numbers are as a spreadsheet shows them (the header is line 1)."
    )
    st.dataframe(shown, hide_index=True, column_config={"line": st.column_config.NumberColumn(format="%d")})
    st.download_button(
        "Download every problem (CSV)",
        exports.safe_csv(result.errors),
        file_name=f"{result.file_name}-problems.csv",
        mime="text/csv",
        key=f"download-{key}",
    )


def preview(result: ingest.IngestResult) -> None:
    """What storing would change: new values, restated values (old -> new), unchanged ones."""
    st.success(ui.plain(result.message))
    new, restated, same = st.columns(3)
    new.metric("New values", f"{result.new_values:,}")
    restated.metric("Restated values", f"{result.restated_count:,}")
    same.metric("Unchanged", f"{result.unchanged:,}")
    if result.restated_count:
        shown = result.restated.head(SHOWN_ERRORS)
        st.caption(
            "Restated values replace what the board shows; the old values stay in history. "
            + (
                f"Showing the first {len(shown):,} of {result.restated_count:,}."
                if len(shown) < result.restated_count
                else ""
            )
        )
        st.dataframe(shown, hide_index=True)
