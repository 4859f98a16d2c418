"""The board pack as one self-contained HTML file: inline styles and SVG, no scripts, no links out.

Rendered by Jinja2 from ``templates/pack.html.j2`` with autoescape on, so every value from the
data is text, whatever a person typed: nothing is escaped by hand and nothing can be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from metrics.board import cards, status
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.packs import gather as pack
from metrics.packs.gather import PackData, TileText

_CSS = """
body { font-family: system-ui, sans-serif; color: #1f2937; margin: 0 auto; max-width: 1200px; padding: 24px; }
section { page-break-after: always; margin-bottom: 48px; }
h1 { font-size: 28px; } h2 { font-size: 22px; border-bottom: 1px solid #ccc; } h3 { font-size: 16px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
td, th { border-bottom: 1px solid #e4e7ec; padding: 4px 6px; text-align: left; vertical-align: top; }
.charts { display: grid; grid-template-columns: repeat(2, 1fr); gap: 12px; }
.axis { display: flex; justify-content: space-between; width: 520px; font-size: 11px; color: #475467; }
.bar { width: 240px; height: 8px; background: #e4e7ec; } .bar span { display: block; height: 8px; background: #33415c; }
"""
EVENT_COLOURS = {"incident": "#c62828", "release": "#1f5fbf", "campaign": "#7b3fa0"}
_TEMPLATES = jinja2.Environment(
    # the pack's own page, and the board's tiles (the same markup as the live board)
    loader=jinja2.ChoiceLoader(
        [
            jinja2.PackageLoader("metrics.packs", "templates"),
            jinja2.PackageLoader("metrics.board", "templates"),
        ]
    ),
    autoescape=True,  # every {{ value }} is escaped: the data never becomes markup
    undefined=jinja2.StrictUndefined,  # a misspelt name fails the build instead of printing nothing
    keep_trailing_newline=False,
)


@dataclass(frozen=True)
class Chart:
    """What the template draws for one trend: the scaled line, target, events and last point's colour."""

    points: list[tuple[float, float]]
    target_y: float | None
    events: list[tuple[float, str, str]]
    colour: str
    first: str = ""  # the dated axis: first and last period drawn
    last: str = ""


@dataclass(frozen=True)
class AreaPage:
    name: str
    texts: list[TileText]
    timeline: list[events.Event]


def _chart(data: PackData, metric_id: str, width: int, height: int, *, events_on: bool) -> Chart:
    t = data.view.tile(metric_id)
    if t is None:
        return Chart([], None, [], "#6b7280")
    geo = pack.chart_geometry(t, data.view.timeline if events_on else [], width, height)
    first = "" if geo.first is None else f"{geo.first:%d %b %Y}"
    last = "" if geo.last is None else f"{geo.last:%d %b %Y}"
    return Chart(geo.points, geo.target_y, geo.events, pack.RAG_HEX[t.rag], first, last)


def _areas(data: PackData, texts: list[TileText]) -> list[AreaPage]:
    pages = []
    for area in catalog.AREAS:
        mine = [t for t in texts if t.area == area]
        if mine:
            shown = [e for e in data.view.timeline if any(e.concerns(t.metric_id) for t in mine)][-8:]
            pages.append(AreaPage(area.capitalize(), mine, shown))
    return pages


def render(data: PackData) -> bytes:
    texts = [pack.tile_text(t, data.view.period) for t in data.view.tiles]
    document = _TEMPLATES.get_template("pack.html.j2").render(
        title=data.title,
        css=_CSS + cards.STYLE,
        cards=[cards.card(t, data.view.period) for t in data.view.tiles],
        summary=pack.summary(data),
        view=data.view,
        today=data.today,
        count_line=status.count_line(data.view.counts),
        funnel=board.funnel_text(board.funnel(data.view)),
        budget=pack.budget_text(data.view),
        texts=texts,
        trends={t.metric_id: _chart(data, t.metric_id, 520, 150, events_on=True) for t in texts},
        areas=_areas(data, texts),
        rag_hex=pack.RAG_HEX,
        event_colours=EVENT_COLOURS,
        kind_labels=events.KIND_LABELS,
        objectives=data.objectives,
        wins=data.wins,
        notes=data.notes,
        signoffs=data.signoffs,
        definitions=[e.definition for e in data.entries],
        glossary=data.glossary,
        who=data.who,
    )
    return document.encode("utf-8")
