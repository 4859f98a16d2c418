"""Pure functions: data in, plotly Figure out. graph_objects only (plotly.express
was four times slower to build, and figure building dominates a warm page run).

Every trend carries the shared timeline: a dotted line and a marker at the top for
each incident, release or campaign that concerns the metric, named on hover.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from metrics.board import status
from metrics.board.timeline import Event
from metrics.board.view import FunnelStep, Tile

RAG_COLOURS = {
    status.GREEN: "#1b7f3b",
    status.AMBER: "#b86e00",
    status.RED: "#c62828",
    status.NO_DATA: "#6b7280",
}
EVENT_COLOURS = {"incident": "#c62828", "release": "#1f5fbf", "campaign": "#7b3fa0"}
EVENT_SYMBOLS = {"incident": "x", "release": "triangle-up", "campaign": "star"}
NO_TEMPLATE = "none"
LINE_COLOUR = "#33415c"
TARGET_COLOUR = "#8a94a6"
SEGMENT_COLOURS = ("#5b8def", "#e0a030", "#3fa37a", "#b05cc0", "#d05050")


def hover_text(text: str) -> str:
    """User text safe in plotly hover labels and legends, which render a subset of HTML and
    fill in %{...} templates: shown exactly as written, never as markup or a template."""
    return html.escape(text).replace("%", "&#37;")


def _axis_suffix(index: int) -> str:
    return "" if index == 1 else str(index)


def _events_on_paper(figure: go.Figure, timeline: Sequence[Event], x: list[object], index: int) -> None:
    """A dotted vertical line per event across subplot ``index``, whatever its y scale."""
    if not x:
        return
    shown = [e for e in timeline if x[0] <= e.day <= x[-1]]  # type: ignore[operator]
    suffix = _axis_suffix(index)
    for event in shown:
        figure.add_shape(
            type="line",
            x0=event.day,
            x1=event.day,
            y0=0,
            y1=1,
            xref=f"x{suffix}",
            yref=f"y{suffix} domain",
            line={"color": EVENT_COLOURS.get(event.kind, "#666"), "width": 1.2, "dash": "dot"},
        )


def _event_hover_trace(timeline: Sequence[Event], x: list[object], top: float) -> go.Scatter | None:
    shown = [e for e in timeline if x and x[0] <= e.day <= x[-1]]  # type: ignore[operator]
    if not shown:
        return None
    return go.Scatter(
        x=[e.day for e in shown],
        y=[top] * len(shown),
        mode="markers",
        marker={
            "color": [EVENT_COLOURS.get(e.kind, "#666") for e in shown],
            "symbol": [EVENT_SYMBOLS.get(e.kind, "circle") for e in shown],
            "size": 9,
        },
        text=[hover_text(e.label) for e in shown],
        hovertemplate="%{x|%d %b %Y}<br>%{text}<extra></extra>",
        name="Events",
        showlegend=False,
    )


def _layout(figure: go.Figure, height: int) -> go.Figure:
    figure.update_layout(
        template=NO_TEMPLATE,
        height=height,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        plot_bgcolor="white",
        font={"size": 12},
    )
    figure.update_xaxes(showgrid=False, tickformat="%b %y", nticks=4)
    figure.update_yaxes(gridcolor="#eef0f3", nticks=4)
    return figure


def _axis_names(index: int) -> tuple[str, str]:
    suffix = _axis_suffix(index)
    return f"x{suffix}", f"y{suffix}"


def _event_traces(
    timeline: Sequence[Event], x: list[object], top: float, index: int
) -> tuple[list[dict], list[dict]]:  # type: ignore[type-arg]
    """A dotted line per event (shapes) and one hover marker trace at the top of subplot ``index``."""
    shown = [e for e in timeline if x and x[0] <= e.day <= x[-1]]  # type: ignore[operator]
    if not shown:
        return [], []
    xa, ya = _axis_names(index)
    shapes = [
        {
            "type": "line",
            "x0": e.day,
            "x1": e.day,
            "y0": 0,
            "y1": 1,
            "xref": xa,
            "yref": f"{ya} domain",
            "line": {"color": EVENT_COLOURS.get(e.kind, "#666"), "width": 1.2, "dash": "dot"},
        }
        for e in shown
    ]
    marker = {
        "type": "scatter",
        "x": [e.day for e in shown],
        "y": [top] * len(shown),
        "xaxis": xa,
        "yaxis": ya,
        "mode": "markers",
        "text": [hover_text(e.label) for e in shown],
        "showlegend": False,
        "name": "Events",
        "marker": {
            "color": [EVENT_COLOURS.get(e.kind, "#666") for e in shown],
            "symbol": [EVENT_SYMBOLS.get(e.kind, "circle") for e in shown],
            "size": 9,
        },
        "hovertemplate": "%{x|%d %b %Y}<br>%{text}<extra></extra>",
    }
    return [marker], shapes


def area_trends(tiles: Sequence[Tile], timeline: Sequence[Event] = (), *, height: int = 230) -> go.Figure:
    """Small multiples: one trend per metric with its target line, latest point in RAG colour,
    and the events that concern it.

    The board draws the same on the server as SVG (metrics/board/cards.py); this is the interactive one.
    Built as one plain description and handed to plotly once: make_subplots plus add_trace
    validated every property again and again and cost about 4x as much."""
    columns = max(len(tiles), 1)
    gap = 0.06
    width = (1 - gap * (columns - 1)) / columns
    traces: list[dict] = []  # type: ignore[type-arg]
    shapes: list[dict] = []  # type: ignore[type-arg]
    layout: dict = {  # type: ignore[type-arg]
        "height": height,
        "showlegend": False,
        "plot_bgcolor": "white",
        "font": {"size": 12},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        # No plotly template: the page's theme styles the chart, and the default template
        # is thousands of values that were copied and encoded on every rerun.
        "template": NO_TEMPLATE,
        "annotations": [],
    }
    for index, tile in enumerate(tiles, start=1):
        xa, ya = _axis_names(index)
        left = (index - 1) * (width + gap)
        layout[f"xaxis{_axis_suffix(index)}"] = {
            "domain": [left, left + width],
            "anchor": ya,
            "showgrid": False,
            "tickformat": "%b %y",
            "nticks": 4,
        }
        layout[f"yaxis{_axis_suffix(index)}"] = {"anchor": xa, "gridcolor": "#eef0f3", "nticks": 4}
        layout["annotations"].append(
            {
                "text": tile.definition.name,
                "x": left + width / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 13},
            }
        )
        history = tile.history
        if history.empty:
            continue
        x = list(history["period_start"])
        y = [float(v) for v in history["value"]]
        target = tile.definition.target
        # Arrays, not lists: Streamlit deep-copies and encodes every figure on every rerun,
        # and an array is copied and base64-encoded in one step instead of point by point.
        x_array = np.array(x, dtype="datetime64[D]")
        y_array = np.array(y, dtype=float)
        traces.append(
            {
                "type": "scatter",
                "x": x_array,
                "y": y_array,
                "xaxis": xa,
                "yaxis": ya,
                "mode": "lines",
                "line": {"color": LINE_COLOUR, "width": 1.6},
                "name": tile.definition.name,
                "hovertemplate": "%{x|%d %b %Y}: %{y:,.4~g}<extra></extra>",
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": [x[0], x[-1]],
                "y": [target, target],
                "xaxis": xa,
                "yaxis": ya,
                "mode": "lines",
                "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 1},
                "name": "Target",
                "hovertemplate": f"Target: {target:,.4g}<extra></extra>",
            }
        )
        if tile.latest_period is not None:
            traces.append(
                {
                    "type": "scatter",
                    "x": [tile.latest_period],
                    "y": [_value_at(history, tile.latest_period)],
                    "xaxis": xa,
                    "yaxis": ya,
                    "mode": "markers",
                    "name": "Latest",
                    "marker": {"color": RAG_COLOURS[tile.rag], "size": 9},
                    "hovertemplate": "Latest: %{y:,.4~g}<extra></extra>",
                }
            )
        markers, lines = _event_traces(
            [e for e in timeline if e.concerns(tile.definition.id)], x, max(max(y), target), index
        )
        traces.extend(markers)
        shapes.extend(lines)
    layout["shapes"] = shapes
    return go.Figure({"data": traces, "layout": layout})


def _value_at(history: pd.DataFrame, start: object) -> float | None:
    match = history.loc[history["period_start"] == start, "value"]
    return float(match.iloc[0]) if len(match) else None


def metric_history(
    tile: Tile,
    timeline: Sequence[Event],
    segments: Mapping[str, pd.DataFrame] | None = None,
    targets: pd.DataFrame | None = None,
    *,
    height: int = 320,
) -> go.Figure:
    """One metric's long history: the total, its segments, the target over time, the events."""
    d = tile.definition
    figure = go.Figure()
    history = tile.history
    if history.empty:
        figure.add_annotation(text="No values yet", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
        return _layout(figure, height)
    x = list(history["period_start"])
    y = list(history["value"])
    for index, (name, frame) in enumerate((segments or {}).items()):
        figure.add_trace(
            go.Scatter(
                x=list(frame["period_start"]),
                y=list(frame["value"]),
                mode="lines",
                line={"color": SEGMENT_COLOURS[index % len(SEGMENT_COLOURS)], "width": 1.2},
                name=hover_text(name),
                hovertemplate=f"{hover_text(name)} %{{x|%d %b %Y}}: %{{y:,.4~g}}<extra></extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines+markers" if len(x) < 3 else "lines",
            line={"color": LINE_COLOUR, "width": 2},
            name="Total" if segments else d.name,
            hovertemplate="%{x|%d %b %Y}: %{y:,.4~g}<extra></extra>",
        )
    )
    if targets is not None and not targets.empty:
        # The first agreed target stands for the whole history before it was signed.
        froms = [min(targets["from"].iloc[0], x[0]), *targets["from"].iloc[1:]]
        figure.add_trace(
            go.Scatter(
                x=[*froms, max(x[-1], froms[-1])],
                y=[*targets["target"], targets["target"].iloc[-1]],
                mode="lines",
                line={"color": TARGET_COLOUR, "dash": "dash", "width": 1.2, "shape": "hv"},
                name="Target",
                hovertemplate="Target from %{x|%d %b %Y}: %{y:,.4~g}<extra></extra>",
            )
        )
    relevant = [e for e in timeline if e.concerns(d.id)]
    _events_on_paper(figure, relevant, x, 1)
    marker = _event_hover_trace(relevant, x, max(max(y), d.target))
    if marker is not None:
        figure.add_trace(marker)
    _layout(figure, height)
    figure.update_layout(showlegend=bool(segments), legend={"orientation": "h", "y": -0.15})
    figure.update_layout(title={"text": d.name, "font": {"size": 15}})
    return figure


def funnel(steps: Sequence[FunnelStep], *, height: int = 220) -> go.Figure:
    """The journey's counts for one period as bars on a linear scale (a later stage larger than
    the one before shows as larger), each with its rate; an estimated count is hatched and says
    so. A stage told only as a rate (loyalty) is not drawn as a bar."""
    shown = [s for s in steps if s.volume is not None]
    labels = [s.label for s in shown]
    text = [
        ("≈" if s.estimated else "")
        + f"{s.volume:,.0f}"
        + (f" · {s.rate:.1f}% {s.rate_text}" if s.rate is not None else "")
        for s in shown
    ]
    figure = go.Figure(
        go.Bar(
            y=labels,
            x=[s.volume for s in shown],
            orientation="h",
            text=text,
            textposition="auto",
            marker={
                "color": "#5b6f9a",
                "pattern": {"shape": ["/" if s.estimated else "" for s in shown], "fgcolor": "#ffffff"},
            },
            hovertemplate="%{y}: %{x:,.0f}<extra></extra>",
        )
    )
    _layout(figure, height)
    figure.update_xaxes(
        type="linear", tickformat="~s", showgrid=True, gridcolor="#eef0f3", rangemode="tozero"
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return figure


def budget_burn(
    history: pd.DataFrame, slo: float, start: object, end: object, *, height: int = 260
) -> go.Figure:
    """Downtime used so far in the period against the downtime the SLO allows."""
    figure = go.Figure()
    if not history.empty:
        figure.add_trace(
            go.Scatter(
                x=list(history["period_start"]),
                y=list(history["used"]),
                mode="lines+markers",
                line={"color": LINE_COLOUR, "width": 2, "shape": "hv"},
                name="Downtime used",
                hovertemplate="%{x|%d %b %Y}: %{y:,.0f} min used<extra></extra>",
            )
        )
        allowed = float(history["allowed"].iloc[0])
        figure.add_trace(
            go.Scatter(
                x=[start, end],
                y=[allowed, allowed],
                mode="lines",
                line={"color": RAG_COLOURS[status.RED], "dash": "dash"},
                name=f"Budget at {slo:g}% SLO",
                hovertemplate=f"Budget: {allowed:,.0f} min<extra></extra>",
            )
        )
    _layout(figure, height)
    figure.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.2})
    figure.update_xaxes(tickformat="%d %b")
    figure.update_yaxes(title_text="minutes", rangemode="tozero")
    return figure
