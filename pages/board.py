"""The board: the customer journey beside uptime, security and delivery, one red/amber/green language."""

from __future__ import annotations

import streamlit as st

import ui
import ui.board
import ui.okrs
import ui.timeline
from metrics.board import status

person = ui.page_person("view")
ui.board.compact_spacing()
presenting = ui.board.presenting()
top, controls = st.columns([2, 1], vertical_alignment="bottom")
if presenting:  # a wall screen: no buttons, the newest week, type sized to the screen
    ui.board.presentation_styles()
    period, as_of = ui.board.default_period(), ui.today()
else:
    bar = controls.container(horizontal=True, horizontal_alignment="right")
    with bar:
        period, as_of = ui.board.period_controls()
with top:
    st.title("Shared Scorecard", anchor=False)
view = ui.run(lambda: ui.board.board_view(period, as_of))
if view is None:
    st.stop()
with top:
    st.caption(  # one line where it fits: the headline must fit the first screen
        f"{view.period.label} ({view.period.dates}) · numbers as known on {view.as_of:%d %b %Y}"
        + (f" · {status.count_line(view.counts)} · {ui.literal(view.reported_line)}" if view.tiles else "")
    )
    if presenting:
        st.caption(ui.board.stamp(view, "pages/board.py"))
if not presenting:
    with bar:
        ui.board.share_link(view)
        ui.timeline.add_event_button(view, person)
    ui.show_flash()
if not view.tiles:
    ui.board.empty_board(person)
    st.stop()
ui.board.headline(view)
if presenting:
    ui.board.presentation_loop("pages/board.py")
    st.stop()
ui.board.every_measure(view)
with st.expander("Wins, celebrated together", icon=":material/celebration:", expanded=True):
    ui.okrs.wins_feed()
with st.expander("Timeline: incidents, releases and campaigns", icon=":material/event:"):
    ui.board.timeline_table(view.timeline)
