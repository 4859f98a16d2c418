"""Board widgets: the period controls, cached views and figures, tiles and the headline.

Views and figures are cached on the database file's fingerprint, so a warm rerun
never opens the database and never rebuilds a figure; a new upload changes the
fingerprint and the next run reads fresh numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st

import ui.timeline
from metrics import config, store
from metrics.access import Person
from metrics.board import drilldown, status
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.board.view import BoardPeriod, BoardView, Tile
from metrics.catalog import definitions as catalog
from metrics.errors import InputRejected
from ui import charts, today, trend_spec

PRESENT_PARAM = "present"
REFRESH_SECONDS = 15


plain = ui.literal  # text a person wrote, shown exactly as written


def _fingerprint() -> tuple[int, ...]:
    return store.data_fingerprint(config.database_path())


# ---------------------------------------------------------------- cached data


@st.cache_resource(max_entries=32, show_spinner=False)
def _view(
    path: str, fingerprint: tuple[int, ...], day: dt.date, period: BoardPeriod, as_of: dt.date | None
) -> BoardView:
    with store.connect(Path(path), read_only=True) as con:
        return board.view(con, day, period, as_of)


@st.cache_resource(max_entries=32, show_spinner=False)
def _default_period(path: str, fingerprint: tuple[int, ...], day: dt.date, known_on: dt.date) -> BoardPeriod:
    moment = board.known_at(known_on, day)
    with store.connect(Path(path), read_only=True) as con:
        return board.newest_reported_period(con, known_on, "weekly", moment)


def default_period(known_on: dt.date | None = None) -> BoardPeriod:
    """The newest week whose values have arrived (as known on ``known_on``), cached like the view."""
    day = today()
    path = config.database_path()
    return _default_period(str(path), store.data_fingerprint(path), day, known_on or day)


def board_view(period: BoardPeriod | None = None, as_of: dt.date | None = None) -> BoardView:
    """The board for a period as known on a day, cached until the database file changes."""
    day = today()
    path = config.database_path()
    chosen = period or default_period(as_of)
    return _view(str(path), store.data_fingerprint(path), day, chosen, None if as_of == day else as_of)


def board_tiles() -> list[Tile]:
    """Tiles for the latest complete week, as known today."""
    return board_view().tiles


@st.cache_resource(max_entries=16, show_spinner=False)
def _area_specs(
    fingerprint: tuple[int, ...], cadence: str, start: dt.date, as_of: dt.date
) -> dict[str, dict[str, Any]]:
    view = board_view(BoardPeriod(cadence, start), as_of)
    return {
        area: trend_spec.area_trends_spec([board.last_points(t, 52) for t in view.area(area)], view.timeline)
        for area in catalog.AREAS
    }


def area_chart(view: BoardView, area: str) -> None:
    """An area's trends for the last year with its events, built once per data change."""
    spec = _area_specs(_fingerprint(), view.period.cadence, view.period.start, view.as_of)[area]
    st.vega_lite_chart(spec, key=f"trend-{area}", width="content")


@st.cache_resource(max_entries=8, show_spinner=False)
def _hover_texts(fingerprint: tuple[int, ...], day: dt.date) -> dict[str, str]:
    """Each agreed metric's hover: its definition and the glossary terms it uses."""
    with store.connect(read_only=True) as con:
        glossary = catalog.glossary(con)
        entries = catalog.board_entries(con, day)
    return {e.definition.id: _hover(e.definition, glossary) for e in entries}


def hover_text(d: catalog.MetricDefinition) -> str:
    return _hover_texts(_fingerprint(), today()).get(d.id) or plain(d.description)


# ---------------------------------------------------------------- controls


def drilldown_view(title: str, key: str) -> BoardView:
    """A drill-down page's head: its title, the period picker and the period's line. Stops the
    run when the view cannot be built (the reason is shown)."""
    st.title(title, anchor=False)
    period, as_of = period_controls(key=key)
    view = ui.run(lambda: board_view(period, as_of))
    if view is None:
        st.stop()
    st.caption(f"{view.period.label} ({view.period.dates}) · numbers as known on {view.as_of:%d %b %Y}")
    return view


def period_controls(key: str = "board") -> tuple[BoardPeriod, dt.date]:
    """The day whose knowledge to show; week, month or quarter; and which one.

    The periods offered are those complete by that day, newest first, so choosing
    an earlier day moves the board to what could be reported then.
    """
    day = today()
    known_on = st.session_state.get(f"{key}-as-of") or day
    asked = st.query_params.get("period")
    initial = default_period(known_on)
    if asked:
        initial = ui_run_parse(asked) or initial
    with st.popover(f"Period: {_chosen_label(key, initial, day)}", icon=":material/calendar_month:"):
        as_of = st.date_input(
            "Numbers as known on",
            value=day,
            max_value=day,
            key=f"{key}-as-of",
            help="A past date shows the numbers as they were known that day: later restatements are not applied.",
        )
        cadence = (
            st.segmented_control(
                "Period length",
                list(board.GRANULARITY_LABELS),
                format_func=board.GRANULARITY_LABELS.__getitem__,
                default=initial.cadence,
                key=f"{key}-cadence",
            )
            or initial.cadence
        )
        options = board.recent_periods(as_of, cadence, 16)
        if initial.cadence == cadence and initial not in options:
            options.append(initial)
        chosen = st.selectbox(
            "Period",
            options,
            index=options.index(initial) if initial in options else 0,
            format_func=lambda p: f"{p.label} ({p.dates})",
            key=_period_key(key, cadence, as_of),
        )
    return chosen, as_of


def _period_key(key: str, cadence: str, as_of: dt.date) -> str:
    """One period picker per length and as-of day: a new day starts from its newest period."""
    return f"{key}-period-{cadence}-{as_of:%Y%m%d}"


def _chosen_label(key: str, initial: BoardPeriod, day: dt.date) -> str:
    """The popover's label, from the widgets' current state (it is drawn before them)."""
    cadence = st.session_state.get(f"{key}-cadence") or initial.cadence
    as_of = st.session_state.get(f"{key}-as-of") or day
    fallback = initial if cadence == initial.cadence else board.latest_period(as_of, cadence)
    chosen = st.session_state.get(_period_key(key, cadence, as_of)) or fallback
    return chosen.label + ("" if as_of == day else f", as of {as_of:%d %b %Y}")


def ui_run_parse(text: str) -> BoardPeriod | None:
    try:
        return board.parse_period(text)
    except InputRejected:  # a hand-edited address: fall back to the latest period
        return None


# ---------------------------------------------------------------- tiles


def _hover(d: catalog.MetricDefinition, glossary: dict[str, str]) -> str:
    direction = "higher" if d.higher_is_better else "lower"
    lines = [
        f"**{plain(d.name)}**: {plain(d.description)}",
        f"Target {plain(status.format_value(d.target, d))} · {direction} is better · reported {d.cadence}",
    ]
    lines += [f"**{plain(term)}**: {plain(meaning)}" for term, meaning in board.glossary_terms(d, glossary)]
    return "\n\n".join(lines)


_BADGE_MARKUP = {status.GREEN: "green", status.AMBER: "orange", status.RED: "red", status.NO_DATA: "gray"}


def _badge(word: str) -> str:
    """A status word as a coloured badge with its shape ('▲ To watch' in orange)."""
    return f":{_BADGE_MARKUP[status.WORD_RAG[word]]}-badge[{status.label(word)}]"


def tile(t: Tile, period: BoardPeriod | None = None, *, compact: bool = False) -> None:
    """One metric tile: value, change, red/amber/green, freshness, note; definition on hover."""
    d = t.definition
    with st.container(border=True):
        st.metric(
            plain(d.name),  # a label renders Markdown: a definition's name is shown as typed
            status.format_value(t.latest, d),
            delta=status.format_change(t.delta, d),
            delta_color="normal" if d.higher_is_better else "inverse",
            help=hover_text(d),
            chart_data=t.spark if len(t.history) > 1 else None,
        )
        st.caption(f"{_badge(t.word)} {plain(' · '.join(board.tile_notes(t, period, compact=compact)))}")
        if t.note is not None:
            st.caption(f":material/sticky_note_2: {plain(t.note.body)}")


def budget_tile(view: BoardView) -> None:
    budget = view.budget
    with st.container(border=True):
        if budget is None or budget.left_percent is None:
            st.markdown("**Error budget left**")
            st.caption(f"{_badge(status.NO_DATA)} no uptime values in this period, so no budget to read")
            return
        st.metric(
            "Error budget left",
            status.format_percent_left(budget.left_percent).replace(" left", ""),
            help=(
                f"Downtime the {budget.slo:g}% uptime SLO allows in {view.period.label} "
                f"({budget.allowed_minutes:,.0f} minutes), minus the downtime measured. "
                f"Green from {status.BUDGET_AMBER:g}% left, amber down to 0, red when overspent."
            ),
        )
        st.caption(f"{_badge(budget.word)} {plain(budget.describe())}")


def tiles_row(
    row: list[Tile],
    period: BoardPeriod | None = None,
    *,
    compact: bool = True,
    budget: BoardView | None = None,
) -> None:
    """Tiles side by side; the error budget goes right after uptime when ``budget`` is given."""
    cells: list[Tile | None] = []
    for t in row:
        cells.append(t)
        if budget is not None and t.definition.id == board.UPTIME_METRIC:
            cells.append(None)
    if not cells:
        return
    for column, cell in zip(st.columns(len(cells)), cells, strict=True):
        with column:
            if cell is None and budget is not None:
                budget_tile(budget)
            elif cell is not None:
                tile(cell, period, compact=compact)


# ---------------------------------------------------------------- page parts


def headline(view: BoardView) -> None:
    """The part of the board that must fit one screen: the journey above IT."""
    st.markdown(f"#### Customer journey &nbsp; :small[{plain(board.funnel_text(board.funnel(view)))}]")
    tiles_row([t for m in board.JOURNEY_HEADLINE if (t := view.tile(m))], view.period, compact=False)
    st.markdown("#### IT: reliability, security, delivery")
    tiles_row([t for m in board.IT_HEADLINE if (t := view.tile(m))], view.period, budget=view)


def every_measure(view: BoardView) -> None:
    """Every other agreed metric by area, with its trend and the events that concern it."""
    shown = set(board.JOURNEY_HEADLINE + board.IT_HEADLINE)
    for heading, areas in (("Customer journey", catalog.JOURNEY_AREAS), ("IT", catalog.IT_AREAS)):
        st.header(f"{heading}: every measure", divider="gray", anchor=False)
        for area in areas:
            area_tiles = view.area(area)
            if not area_tiles:
                continue
            st.subheader(area.capitalize(), anchor=False)
            tiles_row([t for t in area_tiles if t.definition.id not in shown], view.period, compact=False)
            area_chart(view, area)


def timeline_table(timeline: list[events.Event]) -> None:
    if not timeline:
        st.caption("No incidents, releases or campaigns on the timeline for these dates.")
        return
    st.dataframe(
        [
            {
                "Date": e.day,
                "Kind": events.KIND_LABELS.get(e.kind, e.kind),
                "What": e.title,
                "Metrics": ", ".join(e.metric_ids) or "all",
            }
            for e in reversed(timeline)
        ],
        hide_index=True,
        height=min(36 * (len(timeline) + 1), 300),
    )


def presenting() -> bool:
    return st.query_params.get(PRESENT_PARAM) == "1"


@st.fragment(run_every=REFRESH_SECONDS)
def refresh_when_data_lands() -> None:
    """On a wall screen: rerun the page when the database file changes (a new upload)."""
    seen = st.session_state.setdefault("board-fingerprint", _fingerprint())
    current = _fingerprint()
    if current != seen:
        st.session_state["board-fingerprint"] = current
        st.rerun(scope="app")


def drilldown_history(view: BoardView, t: Tile, periods_back: int) -> go.Figure:
    """A metric's long history with segments, targets over time and events."""
    return _drilldown_figure(_fingerprint(), view.period, view.as_of, t.definition.id, periods_back)


@st.cache_resource(max_entries=64, show_spinner=False)
def _drilldown_figure(
    fingerprint: tuple[int, ...], period: BoardPeriod, as_of: dt.date, metric_id: str, periods_back: int
) -> go.Figure:
    view = board_view(period, as_of)
    t = view.tile(metric_id)
    assert t is not None
    first = t.history["period_start"].iloc[-periods_back] if len(t.history) >= periods_back else None
    moment = board.known_at(view.as_of, today())
    with store.connect(read_only=True) as con:
        segments = drilldown.segments(con, metric_id, view.period.end, moment)
        targets = drilldown.targets(con, metric_id)
    if first is not None:
        segments = {n: f[f["period_start"] >= first] for n, f in segments.items()}
    return charts.metric_history(board.last_points(t, periods_back), view.timeline, segments, targets)


# Our own constant stylesheet (never a person's text): less empty space above the title so
# the journey and IT rows fit a 1366x768 screen.
_COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.8rem; padding-bottom: 1rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0; }
[data-testid="stMainBlockContainer"] h4 { padding: 0.2rem 0 0 0; }
[data-testid="stMetricValue"] { font-size: 1.6rem; }
[data-testid="stMetricLabel"] p { font-size: 0.8rem; }
[data-testid="stMetricLabel"] div { white-space: normal; }
</style>"""


def compact_spacing() -> None:
    st.html(_COMPACT_CSS)


def area_drilldowns(view: BoardView, areas: Sequence[str], person: Person | None, *, key: str) -> None:
    """A drill-down page's body: each area's tiles and long histories, then the events
    and the owners' note form for the metrics of those areas."""
    back = (
        st.segmented_control(
            "History", [26, 52, 104], default=52, format_func=lambda n: f"last {n} values", key=key
        )
        or 52
    )
    for area in areas:
        area_tiles = view.area(area)
        st.header(area.capitalize(), divider="gray", anchor=False)
        if not area_tiles:
            st.info(f"No agreed {area} metrics yet.")
            continue
        tiles_row(area_tiles, view.period, compact=False)
        for t in area_tiles:
            st.plotly_chart(drilldown_history(view, t, back), key=f"history-{t.definition.id}")
    st.header("Timeline and notes", divider="gray", anchor=False)
    shown = tuple(t.definition.id for t in view.tiles if t.definition.area in areas)
    timeline_table([e for e in view.timeline if any(e.concerns(metric_id) for metric_id in shown)])
    ui.timeline.note_form(view, shown, person)
