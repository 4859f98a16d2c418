"""The board's trend charts as Vega-Lite descriptions (plain dicts: nothing to validate or copy).

The board draws these rather than plotly figures: its tiles' sparklines already load Vega in
the browser, while the first plotly chart on a page loads plotly.js (about 1.5 s in headless
chromium here). The drill-down pages keep plotly (ui/charts.py) for its richer hovers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from metrics.board.timeline import Event
from metrics.board.view import Tile
from ui.charts import EVENT_COLOURS, LINE_COLOUR, RAG_COLOURS, TARGET_COLOUR


def area_trends_spec(
    tiles: Sequence[Tile], timeline: Sequence[Event] = (), *, width: int = 1200, height: int = 150
) -> dict[str, Any]:
    """The same small multiples as :func:`area_trends`, as a Vega-Lite description.

    The board draws these: its tiles' sparklines already load Vega in the browser, while the
    first plotly chart on a page loads plotly.js (about 1.5 s in headless chromium here)."""
    shown = [t for t in tiles if not t.history.empty] or list(tiles)
    gap, axis = 30, 60  # space between charts, and each chart's y-axis labels
    each = max(int((width - gap * (len(shown) - 1)) / max(len(shown), 1)) - axis, 120)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "hconcat": [_trend_spec(t, timeline, each, height) for t in shown],
        "spacing": gap,
        "config": {"view": {"stroke": None}, "axis": {"grid": True, "gridColor": "#eef0f3"}},
    }


def _trend_spec(tile: Tile, timeline: Sequence[Event], width: int, height: int) -> dict[str, Any]:
    d = tile.definition
    history = tile.history
    points = [
        {"date": day.isoformat(), "value": float(value)}
        for day, value in zip(history["period_start"], history["value"], strict=True)
    ]
    x = {"field": "date", "type": "temporal", "title": None, "axis": {"format": "%b %y", "tickCount": 4}}
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": points},
            "mark": {"type": "line", "color": LINE_COLOUR, "strokeWidth": 1.6},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}},
                "tooltip": [
                    {"field": "date", "type": "temporal", "format": "%d %b %Y", "title": "Period"},
                    {"field": "value", "type": "quantitative", "format": ",.4~g", "title": d.name},
                ],
            },
        },
        {
            "data": {"values": [{"target": d.target}]},
            "mark": {"type": "rule", "color": TARGET_COLOUR, "strokeDash": [4, 3]},
            "encoding": {
                "y": {"field": "target", "type": "quantitative"},
                "tooltip": [{"field": "target", "title": "Target"}],
            },
        },
    ]
    if points and tile.latest_period is not None:
        latest = [p for p in points if p["date"] == tile.latest_period.isoformat()]
        layers.append(
            {
                "data": {"values": latest},
                "mark": {"type": "point", "filled": True, "size": 70, "color": RAG_COLOURS[tile.rag]},
                "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"}},
            }
        )
    if points:
        first, last = points[0]["date"], points[-1]["date"]
        marks = [
            {"date": e.day.isoformat(), "kind": e.kind, "label": e.label}
            for e in timeline
            if e.concerns(d.id) and first <= e.day.isoformat() <= last
        ]
        if marks:
            layers.append(
                {
                    "data": {"values": marks},
                    "mark": {"type": "rule", "strokeDash": [2, 2], "strokeWidth": 2},
                    "encoding": {
                        "x": x,
                        "color": {
                            "field": "kind",
                            "type": "nominal",
                            "legend": None,
                            "scale": {"domain": list(EVENT_COLOURS), "range": list(EVENT_COLOURS.values())},
                        },
                        "tooltip": [
                            {"field": "date", "type": "temporal", "format": "%d %b %Y", "title": "Date"},
                            {"field": "label", "title": "Event"},
                        ],
                    },
                }
            )
    return {"title": {"text": d.name, "fontSize": 13}, "width": width, "height": height, "layer": layers}
