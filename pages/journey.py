"""The customer journey in depth: the funnel, each stage's metrics over a longer history, segments,
targets over time and the events on the shared timeline."""

from __future__ import annotations

import streamlit as st

import ui
import ui.board
import ui.timeline
from metrics import board, catalog, charts

person = ui.page_person("view")
st.title("Customer journey", anchor=False)
period, as_of = ui.board.period_controls(key="journey")
view = ui.run(lambda: ui.board.board_view(period, as_of))
if view is None:
    st.stop()
st.caption(f"{view.period.label} ({view.period.dates}) · numbers as known on {view.as_of:%d %b %Y}")
steps = board.funnel(view)
st.subheader("Awareness → consideration → conversion → loyalty", anchor=False)
st.caption(
    ui.board.plain(board.funnel_text(steps)) + " · orders and repeat buyers are estimated from the rates"
)
st.plotly_chart(charts.funnel(steps), key="funnel", config={"displayModeBar": False})
back = (
    st.segmented_control(
        "History", [26, 52, 104], default=52, format_func=lambda n: f"last {n} values", key="journey-back"
    )
    or 52
)
for area in catalog.JOURNEY_AREAS:
    area_tiles = view.area(area)
    st.header(area.capitalize(), divider="gray", anchor=False)
    if not area_tiles:
        st.info(f"No agreed {area} metrics yet.")
        continue
    ui.board.tiles_row(area_tiles, view.period, compact=False)
    for t in area_tiles:
        st.plotly_chart(ui.board.drilldown_history(view, t, back), key=f"history-{t.definition.id}")
st.header("Timeline and notes", divider="gray", anchor=False)
ui.board.timeline_table(
    [
        e
        for e in view.timeline
        if any(e.concerns(t.definition.id) for t in view.tiles if t.definition.is_journey)
    ]
)
ui.timeline.note_form(view, tuple(t.definition.id for t in view.tiles if t.definition.is_journey), person)
