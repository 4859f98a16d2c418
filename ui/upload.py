"""Upload widgets: the located error report and the preview before storing."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from metrics import store
from metrics.catalog import definitions as catalog
from metrics.packs import exports
from metrics.uploads import ingest, observations

SHOWN_ERRORS = 200


def error_report(result: ingest.IngestResult, *, key: str) -> None:
    """Counts per rule, the first 200 failing cells, and all of them as a safe CSV."""
    st.error(ui.plain(result.message))
    by_count: list[tuple[str, int]] = sorted(result.counts.items(), key=lambda item: item[1], reverse=True)
    counts = pd.DataFrame(by_count, columns=["rule", "problems"])
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


def history_filters() -> tuple[dict[str, str], list[str]]:
    """The teams (id -> name) and metric ids the upload history can be filtered by."""

    def read() -> tuple[dict[str, str], list[str]]:
        with store.connect() as con:
            return catalog.teams(con), [e.definition.id for e in catalog.entries(con, ui.today())]

    return ui.run(read) or ({}, [])


def history(team: str | None, metric_id: str | None) -> pd.DataFrame | None:
    """Every upload attempt for the filters, newest first (None when it could not be read)."""

    def read() -> pd.DataFrame:
        with store.connect() as con:
            return observations.upload_history(con, team=team, metric_id=metric_id)

    return ui.run(read)


def stored_values(upload_id: int) -> pd.DataFrame | None:
    """The values one upload brought (the first thousand)."""

    def read() -> pd.DataFrame:
        with store.connect() as con:
            return observations.upload_values(con, upload_id)

    return ui.run(read)
