"""Board widgets: cached tiles and figures, and the tile itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from metrics import board, charts, config, status, store
from ui import today


@st.cache_resource(max_entries=16, show_spinner=False)
def _board_tiles(path: str, fingerprint: tuple[int, ...], day: dt.date) -> list[board.Tile]:
    with store.connect(Path(path)) as con:
        return board.tiles(con, day)


def board_tiles() -> list[board.Tile]:
    """Tiles for today, cached until the database file changes."""
    path = config.database_path()
    return _board_tiles(str(path), store.data_fingerprint(path), today())


@st.cache_resource(max_entries=64, show_spinner=False)
def _area_figure(fingerprint: tuple[int, ...], day: dt.date, area: str) -> go.Figure:
    tiles = [t for t in board_tiles() if t.definition.area == area]
    return charts.area_trends(tiles)


def area_figure(area: str) -> go.Figure:
    return _area_figure(store.data_fingerprint(config.database_path()), today(), area)


def tile(t: board.Tile) -> None:
    """One metric tile: value, change, red/amber/green, freshness; definition on hover."""
    d = t.definition
    with st.container(border=True):
        st.metric(
            d.name,
            status.format_value(t.latest, d),
            delta=status.format_change(t.delta, d),
            delta_color="normal" if d.higher_is_better else "inverse",
            help=f"{d.description}\n\nTarget: {status.format_value(d.target, d)} · "
            f"{'higher' if d.higher_is_better else 'lower'} is better · {d.cadence}",
            chart_data=list(t.history["value"].tail(12)) if len(t.history) > 1 else None,
        )
        st.badge(charts.RAG_LABELS[t.rag], color=_BADGE_COLOURS[t.rag])
        notes = [t.period_label, f"target {status.format_value(d.target, d)}"]
        if t.stale and t.latest_period is not None:
            notes.append("⚠ stale")
        if t.entry.status != "agreed":
            notes.append(t.entry.status)
        st.caption(" · ".join(notes))


_BADGE_COLOURS = {status.GREEN: "green", status.AMBER: "orange", status.RED: "red", status.NO_DATA: "gray"}
