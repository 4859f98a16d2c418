"""Pure functions: data in, plotly Figure out. graph_objects only (plotly.express
was four times slower to build, and figure building dominates a warm page run)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from metrics import status
from metrics.board import Tile

RAG_COLOURS = {
    status.GREEN: "#1b7f3b",
    status.AMBER: "#b86e00",
    status.RED: "#c62828",
    status.NO_DATA: "#6b7280",
}
RAG_LABELS = {
    status.GREEN: "● On target",
    status.AMBER: "▲ Watch",
    status.RED: "■ Off target",
    status.NO_DATA: "○ No data",
}
LINE_COLOUR = "#33415c"
TARGET_COLOUR = "#8a94a6"


def area_trends(tiles: Sequence[Tile], *, height: int = 230) -> go.Figure:
    """Small multiples: one trend per metric with its target line, latest point in RAG colour."""
    columns = max(len(tiles), 1)
    figure = make_subplots(
        rows=1,
        cols=columns,
        subplot_titles=[t.definition.name for t in tiles],
        horizontal_spacing=0.06,
    )
    for index, tile in enumerate(tiles, start=1):
        history = tile.history
        if history.empty:
            continue
        x = list(history["period_start"])
        figure.add_trace(
            go.Scatter(
                x=x,
                y=list(history["value"]),
                mode="lines",
                line={"color": LINE_COLOUR, "width": 1.6},
                name=tile.definition.name,
                hovertemplate="%{x|%d %b %Y}: %{y:,.4~g}<extra></extra>",
            ),
            row=1,
            col=index,
        )
        figure.add_trace(
            go.Scatter(
                x=[x[0], x[-1]],
                y=[tile.definition.target] * 2,
                mode="lines",
                line={"color": TARGET_COLOUR, "dash": "dash", "width": 1},
                name="Target",
                hovertemplate=f"Target: {tile.definition.target:,.4g}<extra></extra>",
            ),
            row=1,
            col=index,
        )
        figure.add_trace(
            go.Scatter(
                x=[x[-1]],
                y=[tile.latest],
                mode="markers",
                marker={"color": RAG_COLOURS[tile.rag], "size": 9},
                name="Latest",
                hovertemplate="Latest: %{y:,.4~g}<extra></extra>",
            ),
            row=1,
            col=index,
        )
    figure.update_layout(
        height=height,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        plot_bgcolor="white",
        font={"size": 12},
    )
    figure.update_xaxes(showgrid=False, tickformat="%b %y", nticks=4)
    figure.update_yaxes(gridcolor="#eef0f3", nticks=4)
    figure.update_annotations(font={"size": 13})
    return figure
