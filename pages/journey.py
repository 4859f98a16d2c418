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
ui.board.area_drilldowns(view, catalog.JOURNEY_AREAS, person, key="journey-back")
