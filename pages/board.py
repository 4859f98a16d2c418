"""The board: every agreed metric against its target, the journey beside IT."""

from __future__ import annotations

import streamlit as st

import ui
import ui.board
from metrics import board, catalog, status

tiles = ui.run(ui.board.board_tiles) or []
st.title("Shared Scorecard")
counts = board.summary(tiles)
st.caption(
    f"As of {ui.today():%d %b %Y} · {counts[status.GREEN]} on target · "
    f"{counts[status.AMBER]} to watch · {counts[status.RED]} off target"
    + (f" · {counts[status.NO_DATA]} without data" if counts[status.NO_DATA] else "")
)
if not tiles:
    st.info("No agreed metrics yet. Once IT and marketing sign a definition, it appears here.")

for heading, areas in (
    ("Customer journey", catalog.JOURNEY_AREAS),
    ("IT: reliability, security, delivery", catalog.IT_AREAS),
):
    st.header(heading, divider="gray")
    for area in areas:
        area_tiles = [t for t in tiles if t.definition.area == area]
        if not area_tiles:
            continue
        st.subheader(area.capitalize())
        for column, t in zip(st.columns(len(area_tiles)), area_tiles, strict=True):
            with column:
                ui.board.tile(t)
        st.plotly_chart(ui.board.area_figure(area), key=f"trend-{area}", config={"displayModeBar": False})
