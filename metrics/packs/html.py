"""The board pack as one self-contained HTML file: inline styles and SVG, no scripts, no links out.

Every piece of text is escaped; nothing a person wrote becomes markup.
"""

from __future__ import annotations

from html import escape

from metrics.board import status
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.packs import gather as pack
from metrics.packs.gather import PackData, TileText

_CSS = """
body { font-family: system-ui, sans-serif; color: #1f2937; margin: 0 auto; max-width: 1200px; padding: 24px; }
section { page-break-after: always; margin-bottom: 48px; }
h1 { font-size: 28px; } h2 { font-size: 22px; border-bottom: 1px solid #ccc; } h3 { font-size: 16px; }
.grid { display: grid; grid-template-columns: repeat(6, 1fr); gap: 8px; }
.tile { border: 1px solid #d0d5dd; border-left: 6px solid var(--rag); border-radius: 6px; padding: 8px; }
.tile .name { font-size: 12px; color: #475467; } .tile .value { font-size: 22px; font-weight: 600; }
.tile .small { font-size: 11px; color: #475467; } .rag { color: var(--rag); font-weight: 600; font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
td, th { border-bottom: 1px solid #e4e7ec; padding: 4px 6px; text-align: left; vertical-align: top; }
.charts { display: grid; grid-template-columns: repeat(2, 1fr); gap: 12px; }
"""


def _svg(data: PackData, tile_id: str, width: int, height: int, *, events_on: bool = True) -> str:
    t = data.view.tile(tile_id)
    if t is None:
        return ""
    geo = pack.chart_geometry(t, data.view.timeline if events_on else [], width, height)
    if not geo.points:
        return f'<svg width="{width}" height="{height}"><text x="4" y="{height / 2}" font-size="11">No values yet</text></svg>'
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in geo.points)
    parts = [
        f'<svg width="{width}" height="{height}" role="img" aria-label="{escape(t.definition.name)} trend">'
    ]
    if geo.target_y is not None:
        parts.append(
            f'<line x1="0" x2="{width}" y1="{geo.target_y:.1f}" y2="{geo.target_y:.1f}" '
            'stroke="#8a94a6" stroke-dasharray="4 3"/>'
        )
    for x, kind, label in geo.events:
        colour = {"incident": "#c62828", "release": "#1f5fbf", "campaign": "#7b3fa0"}.get(kind, "#666")
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height}" stroke="{colour}" stroke-dasharray="2 2">'
            f"<title>{escape(label)}</title></line>"
        )
    parts.append(f'<polyline points="{line}" fill="none" stroke="#33415c" stroke-width="1.6"/>')
    last_x, last_y = geo.points[-1]
    parts.append(f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="3" fill="{pack.RAG_HEX[t.rag]}"/></svg>')
    return "".join(parts)


def _tile(data: PackData, text: TileText) -> str:
    note = f'<div class="small">Note: {escape(text.note)}</div>' if text.note else ""
    flags = f'<div class="small">{escape(text.flags)}</div>' if text.flags else ""
    return (
        f'<div class="tile" style="--rag:{pack.RAG_HEX[text.rag]}" data-metric="{escape(text.metric_id)}">'
        f'<div class="name">{escape(text.name)}</div><div class="value">{escape(text.value)}</div>'
        f'<div class="rag">{escape(text.status_word)}</div>'
        f'<div class="small">{escape(text.change)} vs previous · {escape(text.year_change)} vs last year</div>'
        f'<div class="small">target {escape(text.target)} · {escape(text.period)}</div>{flags}'
        f"{_svg(data, text.metric_id, 150, 34, events_on=False)}{note}</div>"
    )


def _cover(data: PackData) -> str:
    view = data.view
    counts = view.counts
    return (
        f"<section><h1>{escape(data.title)}</h1>"
        f"<p><b>{escape(view.period.label)}</b> ({escape(view.period.dates)})</p>"
        f"<p>Numbers as known on <b>{view.as_of:%d %b %Y}</b>; later restatements are not applied.</p>"
        f"<p>{escape(status.count_line(counts))}"
        + f"</p><p>Prepared {data.today:%d %b %Y} from the metrics IT and marketing agreed.</p></section>"
    )


def _board(data: PackData, texts: list[TileText]) -> str:
    value, word, why = pack.budget_text(data.view)
    funnel = escape(board.funnel_text(board.funnel(data.view)))
    tiles = "".join(_tile(data, t) for t in texts)
    return (
        "<section><h2>The board</h2>"
        f"<p><b>Customer journey:</b> {funnel}</p>"
        f"<p><b>Error budget left:</b> {escape(value)} ({escape(word)}): {escape(why)}</p>"
        f'<div class="grid">{tiles}</div></section>'
    )


def _area(data: PackData, area: str, texts: list[TileText]) -> str:
    rows = "".join(
        f"<tr><td>{escape(t.name)}</td><td><b>{escape(t.value)}</b></td><td>{escape(t.status_word)}</td>"
        f"<td>{escape(t.change)}</td><td>{escape(t.year_change)}</td><td>{escape(t.target)}</td>"
        f"<td>{escape(t.period)}</td></tr>"
        for t in texts
    )
    charts = "".join(
        f"<div><h3>{escape(t.name)}</h3>{_svg(data, t.metric_id, 520, 150)}</div>" for t in texts
    )
    shown = [e for e in data.view.timeline if any(e.concerns(t.metric_id) for t in texts)][-8:]
    timeline = "".join(
        f"<li>{e.day:%d %b %Y} · {escape(events.KIND_LABELS.get(e.kind, e.kind))}: {escape(e.title)}</li>"
        for e in shown
    )
    return (
        f"<section><h2>{escape(area.capitalize())}</h2><table><tr><th>Metric</th><th>Value</th><th>Status</th>"
        f"<th>vs previous</th><th>vs last year</th><th>Target</th><th>Period</th></tr>{rows}</table>"
        f'<div class="charts">{charts}</div>'
        + (f"<h3>On the timeline</h3><ul>{timeline}</ul>" if timeline else "")
        + "</section>"
    )


def _notes(data: PackData) -> str:
    if not data.notes:
        body = "<p>No owner notes for this period.</p>"
    else:
        body = (
            "<table><tr><th>Metric</th><th>Period</th><th>Note</th><th>By</th></tr>"
            + "".join(
                f"<tr><td>{escape(name)}</td><td>{escape(label)}</td><td>{escape(n.body)}</td><td>{escape(data.who(n.author))}</td></tr>"
                for name, label, n in data.notes
            )
            + "</table>"
        )
    return f"<section><h2>Owners' notes</h2>{body}</section>"


def _signoff(data: PackData) -> str:
    rows = "".join(
        f"<tr><td>{escape(s.name)}</td><td>v{s.version}</td><td>{escape(s.status)}</td><td>{escape(data.who(s.it_signer))}</td>"
        f"<td>{escape(data.who(s.marketing_signer))}</td><td>{escape(s.signed)}</td></tr>"
        for s in data.signoffs
    )
    return (
        "<section><h2>Sign-off status</h2><table><tr><th>Metric</th><th>Version</th><th>Status</th>"
        f"<th>IT</th><th>Marketing</th><th>Signed</th></tr>{rows}</table></section>"
    )


def _appendix(data: PackData) -> str:
    definitions = "".join(
        f"<h3>{escape(d.name)}</h3><p>{escape(d.description)}</p><p><i>How it is calculated:</i> "
        f"{escape(d.calculation)}</p><p class='small'>{escape(d.area)} · {escape(d.cadence)} · "
        f"{escape(d.direction)} is better · target {d.target:g}, amber {d.amber:g}, red {d.red:g} · "
        f"owners {escape(data.who(d.it_owner))} and {escape(data.who(d.marketing_owner))}</p>"
        for d in (e.definition for e in data.entries)
    )
    glossary = "".join(f"<dt><b>{escape(t)}</b></dt><dd>{escape(m)}</dd>" for t, m in data.glossary.items())
    return (
        f"<section><h2>Appendix: definitions</h2>{definitions}<h2>Glossary</h2><dl>{glossary}</dl></section>"
    )


def render(data: PackData) -> bytes:
    texts = [pack.tile_text(t, data.view.period) for t in data.view.tiles]
    areas = "".join(
        _area(data, area, [t for t in texts if t.area == area])
        for area in catalog.AREAS
        if any(t.area == area for t in texts)
    )
    document = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(data.title)}</title>'
        f"<style>{_CSS}</style></head><body>{_cover(data)}{_board(data, texts)}{areas}{_notes(data)}"
        f"{_signoff(data)}{_appendix(data)}</body></html>"
    )
    return document.encode("utf-8")
