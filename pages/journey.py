"""The customer journey in depth: the funnel, each stage's metrics over a longer history, segments,
targets over time and the events on the shared timeline."""

from __future__ import annotations

import streamlit as st

import ui
import ui.board
import ui.timeline
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from ui import charts

person = ui.page_person("view")
view = ui.board.drilldown_view("Customer journey", key="journey")
steps = board.funnel(view)
st.header("Awareness → consideration → conversion → loyalty", anchor=False)
st.caption(
    ui.board.plain(board.funnel_text(steps))
    + " · orders are estimated (sessions × the conversion rate of the same period, hatched); "
    "repeat buying is a monthly rate, told as a rate"
)
st.plotly_chart(charts.funnel(steps), key="funnel", config={"displayModeBar": False})
ui.board.area_drilldowns(view, catalog.JOURNEY_AREAS, person, key="journey-back")
if ui.board.presenting():  # a wall screen: fresh data within seconds, and the rotation if asked
    ui.board.presentation_loop("pages/journey.py")
