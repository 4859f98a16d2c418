"""Reliability, security and delivery in depth: uptime against its SLO and the error budget's burn,
each IT metric over a longer history with targets over time and the events on the shared timeline."""

from __future__ import annotations

import streamlit as st

import ui
import ui.board
import ui.timeline
from metrics.board import drilldown, status
from metrics.catalog import definitions as catalog
from ui import charts

person = ui.page_person("view")
view = ui.board.drilldown_view("Reliability and security", key="reliability")
st.header("Error budget", anchor=False)
left, right = st.columns([1, 3])
with left:
    ui.board.budget_tile(view)
with right:
    if view.budget is not None:
        st.plotly_chart(
            charts.budget_burn(
                drilldown.budget_burn(view), view.budget.slo, view.period.start, view.period.end
            ),
            key="budget-burn",
            config={"displayModeBar": False},
        )
    st.caption(
        f"Budget left is read on the board's scale: green from {status.BUDGET_AMBER:g}% left, amber down to "
        "exactly spent, red when overspent."
    )
ui.board.area_drilldowns(view, catalog.IT_AREAS, person, key="reliability-back")
if ui.board.presenting():  # a wall screen: fresh data within seconds, and the rotation if asked
    ui.board.presentation_loop("pages/reliability.py")
