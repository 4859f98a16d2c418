"""The board's tiles and trend charts as HTML with inline SVG: one renderer for the page and the pack.

The page used to draw each tile with its own chart runtime; the same content as plain HTML
draws in a fraction of the time, and the page and the pack now show the same markup by
construction. Rendered by Jinja2 with autoescape on: every name, note and label is text.

Colour means one thing: the status colour is used for the status badge, the tile's edge
and the last point of its trend, and always beside a shape and a word. Whether a change
is better or worse is told in the metric's own direction with its own two colours and an
arrow word, never the status palette; a change of zero is neutral.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from metrics import periods
from metrics.board import status
from metrics.board import timeline as events
from metrics.board.view import BoardPeriod, BoardView, Tile, tile_notes
from metrics.catalog.definitions import MetricDefinition

SPARK_POINTS = 26
TREND_POINTS = 52

#: CSS class per status word (the colours are in STYLE)
WORD_CLASS = {
    status.ON_TARGET: "on",
    status.NEAR_TARGET: "near",
    status.TO_WATCH: "watch",
    status.OFF_TARGET: "off",
    status.NO_DATA: "none",
}
#: the colour each status draws its marks in (text uses darker shades, see STYLE); 3:1 or more on white
MARK_HEX = {"on": "#1b7f3b", "near": "#1b7f3b", "watch": "#a45f00", "off": "#c62828", "none": "#6b7280"}
EVENT_HEX = {"incident": "#b42318", "release": "#1f5fbf", "campaign": "#7b3fa0"}
INK = "#475467"  # the neutral ink of every line

# Our own constant stylesheet, shared by the page and the pack. Text colours meet 4.5:1 on their
# backgrounds and marks 3:1 on white (tests/test_cards.py measures them).
STYLE = """
.sc-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(11.5rem, 1fr)); gap: .5rem; }
.sc-card { display: flex; flex-direction: column; gap: .15rem; min-width: 0; padding: .5rem .6rem;
  border: 1px solid #d0d5dd; border-left: 6px solid var(--mark); border-radius: .5rem;
  background: #fff; color: #1f2937; text-decoration: none; }
a.sc-card, a.sc-card:visited { color: #1f2937; text-decoration: none; }
a.sc-card .sc-value { color: #101828; }
a.sc-card:hover { border-color: #667085; border-left-color: var(--mark); background: #f9fafb; }
a.sc-card:focus-visible { outline: 3px solid #1f5fbf; outline-offset: 2px; }
.sc-name { font-size: .85rem; font-weight: 600; color: #344054; overflow-wrap: anywhere; }
.sc-value { font-size: 1.45rem; font-weight: 650; line-height: 1.15; overflow-wrap: anywhere; }
.sc-row { display: flex; flex-wrap: wrap; gap: .3rem; align-items: center; }
.sc-badge, .sc-change { font-size: .78rem; font-weight: 600; padding: .05rem .4rem; border-radius: .6rem;
  white-space: nowrap; }
.sc-on .sc-badge, .sc-near .sc-badge { color: #14532d; background: #e3f1e7; }
.sc-watch .sc-badge { color: #6b3d00; background: #fdf0d5; }
.sc-off .sc-badge { color: #9b1c1c; background: #fde8e8; }
.sc-none .sc-badge { color: #374151; background: #eceff3; }
.sc-better { color: #0b4f94; background: #e6effa; }
.sc-worse { color: #86205f; background: #f9e6f1; }
.sc-same { color: #374151; background: #eceff3; }
.sc-small { font-size: .75rem; color: #475467; overflow-wrap: anywhere; }
.sc-note { font-size: .75rem; color: #344054; font-style: italic; overflow-wrap: anywhere; }
.sc-chart { position: relative; display: block; }
.sc-chart img { width: 100%; height: auto; display: block; }
.sc-spark img { height: 1.75rem; }  /* a sparkline keeps its height however wide the tile: it stretches */
.sc-hover { position: absolute; inset: 0; }
.sc-hover span { position: absolute; top: 0; bottom: 0; }
.sc-hover span:hover { background: rgba(31, 95, 191, .12); }
.sc-axis { display: flex; justify-content: space-between; font-size: .72rem; color: #475467; }
.sc-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.sc-trends { display: grid; grid-template-columns: repeat(auto-fit, minmax(17rem, 1fr)); gap: .75rem; }
.sc-trend { min-width: 0; }
.sc-trend h4 { font-size: .9rem; margin: 0 0 .2rem 0; padding: 0; color: #1f2937; }
.sc-legend { display: flex; flex-wrap: wrap; gap: .9rem; font-size: .78rem; color: #475467; margin: .2rem 0 .5rem; }
.sc-key { display: inline-block; width: 1.1rem; height: 0; border-top: 2px solid; vertical-align: middle;
  margin-right: .3rem; }
.sc-trend details { font-size: .75rem; color: #344054; }
.sc-trend table { border-collapse: collapse; font-size: .75rem; }
.sc-trend th, .sc-trend td { padding: .05rem .5rem .05rem 0; text-align: left; }
"""

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("metrics.board", "templates"),
    autoescape=True,  # every {{ value }} is escaped: the data never becomes markup
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # 'W46 2026: 99.90%', shown on hover


@dataclass(frozen=True)
class Spark:
    """A trend scaled into a width x height box (0,0 top left)."""

    width: int
    height: int
    points: list[Point]
    target_y: float | None
    mark: str  # the last point's colour: the tile's status
    events: list[tuple[float, str, str]]  # x, colour, what happened
    summary: str  # what a sighted reader takes from it, for a screen reader

    @property
    def line(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def strip(self) -> list[tuple[float, float, str]]:
        """The hover strip's parts: (left %, width %, label) per point, each centred on its point
        and kept inside the chart."""
        width = 100 / len(self.points)
        return [
            (min(max(100 * p.x / self.width - width / 2, 0.0), 100 - width), width, p.label)
            for p in self.points
        ]

    @property
    def uri(self) -> str:
        """The chart as an image address: an SVG document, inline. The page's HTML sanitiser keeps
        images, and the browser draws one image far faster than a tree of SVG elements."""
        svg = str(_module().spark_svg(self))
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@dataclass(frozen=True)
class Card:
    metric_id: str
    name: str
    help: str  # the definition, on hover
    value: str
    status_class: str
    badge: str  # '▲ To watch'
    change: str | None
    change_class: str  # sc-better / sc-worse / sc-same
    change_help: str
    notes: str
    note: str | None
    spark: Spark | None
    href: str | None

    @property
    def mark(self) -> str:
        return MARK_HEX[self.status_class]


@dataclass(frozen=True)
class Trend:
    metric_id: str
    name: str
    chart: Spark
    first: str  # the first period's label, under the axis
    last: str
    low: str  # the axis' ends, formatted in the metric's unit
    high: str
    rows: list[tuple[str, str]]  # (period, value) newest first: the numbers behind the chart


# ---------------------------------------------------------------- words


def change_tone(t: Tile) -> tuple[str, str]:
    """(css class, words) saying whether the change since the period before is better or worse
    in the metric's own direction; none at all is neither."""
    improved = status.improved(t.delta, t.definition)
    if t.delta is None or t.delta == 0 or status.format_change(t.delta, t.definition) in ("+0", "+0 pp"):
        return "sc-same", "no change since the period before"
    if improved:
        return "sc-better", "better than the period before"
    return "sc-worse", "worse than the period before"


def _point_label(day: dt.date, cadence: str, value: float, t: Tile) -> str:
    return f"{periods.label(day, cadence)}: {status.format_value(value, t.definition)}"


def describe(t: Tile, count: int) -> str:
    """'Website sessions, last 26 weeks, 238,000 to 254,246, rising; on target'."""
    d = t.definition
    values = t.history.tail(count)
    if values.empty:
        return f"{d.name}: no values yet"
    numbers = [float(v) for v in values["value"]]
    unit = {"weekly": "weeks", "monthly": "months", "quarterly": "quarters"}.get(d.cadence, "periods")
    first, last = numbers[0], numbers[-1]
    span = max(numbers) - min(numbers)
    direction = (
        "flat" if span == 0 or abs(last - first) <= 0.05 * span else ("rising" if last > first else "falling")
    )
    return (
        f"{d.name}, last {len(numbers)} {unit}, {status.format_value(first, d)} to "
        f"{status.format_value(last, d)}, {direction}; {t.word}"
    )


# ---------------------------------------------------------------- geometry


def spark(
    t: Tile, count: int, width: int, height: int, timeline: Sequence[events.Event] = (), *, pad: float = 3.0
) -> Spark | None:
    values = t.history.tail(count)
    if values.empty:
        return None
    d = t.definition
    days: list[dt.date] = list(values["period_start"])
    ys = [float(v) for v in values["value"]]
    low, high = min([*ys, d.target]), max([*ys, d.target])
    span = (high - low) or 1.0
    reach = max((days[-1] - days[0]).days, 1)

    def x_of(day: dt.date) -> float:
        return pad + (width - 2 * pad) * (day - days[0]).days / reach

    def y_of(value: float) -> float:
        return pad + (height - 2 * pad) * (1 - (value - low) / span)

    points = [
        Point(x_of(day), y_of(v), _point_label(day, d.cadence, v, t)) for day, v in zip(days, ys, strict=True)
    ]
    marks = [
        (x_of(e.day), EVENT_HEX.get(e.kind, INK), f"{e.day:%d %b %Y} · {e.label}")
        for e in timeline
        if e.concerns(d.id) and days[0] <= e.day <= days[-1]
    ]
    return Spark(
        width, height, points, y_of(d.target), MARK_HEX[WORD_CLASS[t.word]], marks, describe(t, count)
    )


# ---------------------------------------------------------------- cards and trends


def help_text(d: MetricDefinition, terms: Sequence[tuple[str, str]] = ()) -> str:
    """A tile's hover: what the metric means, its target and direction, the glossary terms it uses."""
    lines = [
        f"{d.name}: {d.description}",
        f"Target {status.format_value(d.target, d)} · {'higher' if d.higher_is_better else 'lower'} "
        f"is better · reported {d.cadence}",
    ]
    return "\n".join(lines + [f"{term}: {meaning}" for term, meaning in terms])


def card(
    t: Tile,
    period: BoardPeriod | None = None,
    *,
    href: str | None = None,
    compact: bool = False,
    help: str | None = None,
) -> Card:
    d = t.definition
    tone, tone_words = change_tone(t)
    word = t.word
    return Card(
        d.id,
        d.name,
        help or help_text(d),
        status.format_value(t.latest, d),
        WORD_CLASS[word],
        status.label(word),
        status.format_change(t.delta, d),
        tone,
        tone_words,
        " · ".join(tile_notes(t, period, compact=compact)),
        t.note.body if t.note else None,
        spark(t, SPARK_POINTS, 160, 34),
        href,
    )


def budget_card(view: BoardView, *, href: str | None = None) -> Card:
    budget = view.budget
    if budget is None or budget.left_percent is None:
        value, word, notes = "—", status.NO_DATA, "no uptime values in this period, so no budget to read"
    else:
        value = status.format_percent_left(budget.left_percent).replace(" left", "")
        word, notes = budget.word, budget.describe()
    return Card(
        "error_budget",
        "Error budget left",
        "Downtime the uptime SLO allows in the period, minus the downtime measured. "
        f"Green from {status.BUDGET_AMBER:g}% left, amber down to 0, red when overspent.",
        value,
        WORD_CLASS[word],
        status.label(word),
        None,
        "sc-same",
        "",
        notes,
        None,
        None,
        href,
    )


def trend(t: Tile, timeline: Sequence[events.Event], count: int = TREND_POINTS) -> Trend | None:
    chart = spark(t, count, 240, 90, timeline, pad=5.0)
    if chart is None:
        return None
    d = t.definition
    values = t.history.tail(count)
    ys = [float(v) for v in values["value"]]
    days: list[dt.date] = list(values["period_start"])
    rows = [
        (periods.label(day, d.cadence), status.format_value(v, d))
        for day, v in zip(reversed(days), reversed(ys), strict=True)
    ]
    return Trend(
        d.id,
        d.name,
        chart,
        periods.label(days[0], d.cadence),
        periods.label(days[-1], d.cadence),
        status.format_value(min([*ys, d.target]), d),
        status.format_value(max([*ys, d.target]), d),
        rows,
    )


# ---------------------------------------------------------------- HTML


def _module() -> Any:
    return _TEMPLATES.get_template("cards.html.j2").module


def cards_html(cards: Sequence[Card], *, label: str) -> str:
    """A grid of tiles; ``label`` names the group for a screen reader ('Customer journey')."""
    return str(_module().grid(cards, label))


def trends_html(trends: Sequence[Trend], *, label: str) -> str:
    """Small multiples with one legend: each metric's last year, target and events."""
    return str(_module().trends(trends, label, EVENT_HEX))


def style_html() -> str:
    return f"<style>{STYLE}</style>"
