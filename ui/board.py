"""Board widgets: the period controls, cached views and figures, tiles and the headline.

Views and figures are cached on the database file's fingerprint, so a warm rerun
never opens the database and never rebuilds a figure; a new upload changes the
fingerprint and the next run reads fresh numbers.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import plotly.graph_objects as go
import streamlit as st

import ui.timeline
from metrics import clock, config, store
from metrics.access import Person
from metrics.board import cards, drilldown, first_steps
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.board.view import BoardPeriod, BoardView, Tile
from metrics.catalog import definitions as catalog
from metrics.errors import InputRejected
from ui import charts, today

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


@st.cache_resource(max_entries=8, show_spinner=False)
def _help_texts(fingerprint: tuple[int, ...], day: dt.date) -> dict[str, str]:
    """Each agreed metric's hover: its definition and the glossary terms it uses (plain text)."""
    with store.connect(read_only=True) as con:
        glossary = catalog.glossary(con)
        entries = catalog.board_entries(con, day)
    return {
        e.definition.id: cards.help_text(e.definition, board.glossary_terms(e.definition, glossary))
        for e in entries
    }


def _draw(html: str) -> None:
    """Our own rendered HTML (autoescaped: a person's text in it is text), set straight into
    the page: no Markdown reads it, and Streamlit's sanitiser still checks it."""
    st.html(html)


def area_trends(view: BoardView, area: str) -> None:
    """An area's last year as small multiples (value, target, events) with one legend,
    drawn on the server as SVG; the interactive chart is one click away in the drill-down."""
    html = _trends_html(_fingerprint(), view.period, view.as_of, area)
    if html:
        _draw(html)


@st.cache_resource(max_entries=64, show_spinner=False)
def _trends_html(fingerprint: tuple[int, ...], period: BoardPeriod, as_of: dt.date, area: str) -> str:
    view = board_view(period, as_of)
    shown = [tr for t in view.area(area) if (tr := cards.trend(t, view.timeline)) is not None]
    return cards.trends_html(shown, label=f"{area.capitalize()} trends, last year") if shown else ""


# ---------------------------------------------------------------- controls


def drilldown_view(title: str, key: str) -> BoardView:
    """A drill-down page's head: its title, the period picker and the period's line. Stops the
    run when the view cannot be built (the reason is shown)."""
    st.title(title, anchor=False)
    card_styles()
    bar = st.container(horizontal=True)
    if presenting():  # a wall screen: the newest week, no controls
        presentation_styles()
        period, as_of = default_period(), today()
    else:
        with bar:
            period, as_of = period_controls(key=key)
    view = ui.run(lambda: board_view(period, as_of))
    if view is None:
        st.stop()
    if not presenting():
        with bar:
            share_link(view)
    st.caption(f"{view.period.label} ({view.period.dates}) · numbers as known on {view.as_of:%d %b %Y}")
    if presenting():
        st.caption(stamp(view, f"pages/{key}.py"))
    return view


def period_controls(key: str = "board") -> tuple[BoardPeriod, dt.date]:
    """The day whose knowledge to show; week, month or quarter; and which one.

    The periods offered are those complete by that day, newest first, so choosing
    an earlier day moves the board to what could be reported then.
    """
    day = today()
    if f"{key}-as-of" not in st.session_state and (asked_day := _asked_as_of(day)) is not None:
        st.session_state[f"{key}-as-of"] = asked_day
    known_on = st.session_state.get(f"{key}-as-of") or day
    asked = st.query_params.get("period")
    initial = default_period(known_on)
    if asked:
        parsed = ui_run_parse(asked)
        if parsed is None or parsed.end > known_on:
            st.warning(
                f"The address asks for the period {asked!r}, which is not a complete period "
                f"(write 2026-W47, 2026-11 or 2026-Q3): showing {initial.label} instead.",
                icon=":material/link_off:",
            )
        else:
            initial = parsed
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
    # The address follows the screen, so a copied link opens this same view.
    st.query_params["period"] = period_param(chosen)
    if as_of == day:
        st.query_params.pop("as_of", None)
    else:
        st.query_params["as_of"] = as_of.isoformat()
    return chosen, as_of


def _asked_as_of(day: dt.date) -> dt.date | None:
    """The as-of day an address asks for (?as_of=2026-11-20), if it is a past or present day."""
    text = st.query_params.get("as_of")
    try:
        asked = dt.date.fromisoformat(text) if text else None
    except ValueError:
        asked = None
    if text and (asked is None or asked > day):
        st.warning(
            f"The address asks for numbers as known on {text!r}, which is not a past day: showing today's."
        )
        return None
    return asked


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


DRILLDOWN_PAGES = {
    **dict.fromkeys(catalog.JOURNEY_AREAS, "journey"),
    **dict.fromkeys(catalog.IT_AREAS, "reliability"),
}


def period_param(period: BoardPeriod) -> str:
    """The period as the address writes it: 2026-W47, 2026-11, 2026-Q3."""
    return f"{period.start:%Y-%m}" if period.cadence == "monthly" else period.label


def view_params(view: BoardView) -> dict[str, str]:
    """What the address holds of a board view: its period and, when not today, its as-of day
    (and, in local demo mode, who is acting, so a link opened in a new page stays that person)."""
    params = {"period": period_param(view.period)}
    if view.as_of != today():
        params["as_of"] = view.as_of.isoformat()
    acting = st.session_state.get("acting_as")
    if not ui.sign_in_configured() and acting:
        params["as"] = str(acting)
    return params


def share_link(view: BoardView) -> None:
    """A "Copy link" control: this exact view's address (page, period, as-of day, metric), in a
    box with a copy button, for an email or a chat."""
    address = urlsplit(st.context.url or "")
    base = urlunsplit((address.scheme, address.netloc, address.path or "/", "", ""))
    params = view_params(view)
    if metric := st.query_params.get("metric"):
        params["metric"] = metric
    with st.popover("Copy link", icon=":material/link:"):
        st.caption("This view's address (period and as-of day included): copy it with the button beside it.")
        st.code(f"{base}?{urlencode(params)}", language=None, wrap_lines=True)


def drilldown_href(view: BoardView, metric_id: str, area: str) -> str:
    return f"{DRILLDOWN_PAGES[area]}?{urlencode({**view_params(view), 'metric': metric_id})}"


def tile_cards(
    row: Sequence[Tile], view: BoardView, *, compact: bool, budget: bool = False
) -> list[cards.Card]:
    """Each tile as a card linking to its drill-down; the error budget right after uptime
    when ``budget`` is asked for."""
    made = []
    helps = _help_texts(_fingerprint(), today())
    for t in row:
        href = drilldown_href(view, t.definition.id, t.definition.area)
        made.append(cards.card(t, view.period, href=href, compact=compact, help=helps.get(t.definition.id)))
        if budget and t.definition.id == board.UPTIME_METRIC:
            made.append(
                cards.budget_card(view, href=drilldown_href(view, board.UPTIME_METRIC, t.definition.area))
            )
    return made


def tiles_grid(
    row: Sequence[Tile], view: BoardView, label: str, *, compact: bool = False, budget: bool = False
) -> None:
    """Tiles in a grid that fills the width and wraps (one HTML block, no chart runtime)."""
    if row:
        ids = tuple(t.definition.id for t in row)
        params = tuple(view_params(view).items())
        _draw(_grid_html(_fingerprint(), view.period, view.as_of, ids, label, compact, budget, params))


@st.cache_resource(max_entries=128, show_spinner=False)
def _grid_html(
    fingerprint: tuple[int, ...],
    period: BoardPeriod,
    as_of: dt.date,
    ids: tuple[str, ...],
    label: str,
    compact: bool,
    budget: bool,
    params: tuple[tuple[str, str], ...],  # the address the tiles link with (who acts, in local mode)
) -> str:
    view = board_view(period, as_of)
    row = [t for metric_id in ids if (t := view.tile(metric_id)) is not None]
    return cards.cards_html(tile_cards(row, view, compact=compact, budget=budget), label=label)


def budget_tile(view: BoardView) -> None:
    _draw(cards.cards_html([cards.budget_card(view)], label="Error budget"))


# ---------------------------------------------------------------- page parts


def headline(view: BoardView) -> None:
    """The part of the board that must fit one screen: the journey above IT."""
    st.markdown(f"## Customer journey &nbsp; :small[{plain(board.funnel_text(board.funnel(view)))}]")
    tiles_grid([t for m in board.JOURNEY_HEADLINE if (t := view.tile(m))], view, "Customer journey headline")
    st.markdown("## IT: reliability, security, delivery")
    tiles_grid(
        [t for m in board.IT_HEADLINE if (t := view.tile(m))], view, "IT headline", compact=True, budget=True
    )


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
            tiles_grid(
                [t for t in area_tiles if t.definition.id not in shown], view, f"{area.capitalize()} measures"
            )
            area_trends(view, area)


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


def empty_board(person: Person | None) -> None:
    """A board with no agreed metric yet says why and what unblocks it, with links."""
    st.info("No agreed metrics yet. Once IT and marketing sign a definition, it appears here.")

    def gather() -> list[first_steps.Step]:
        with store.connect(read_only=True) as con:
            return first_steps.next_steps(con, person)

    steps = ui.run(gather) or []
    if steps:
        st.markdown("**Next steps**")
    for number, step in enumerate(steps, start=1):
        st.markdown(f"{number}. {plain(step.text)}")
        st.page_link(step.page, label=f"Open {_PAGE_TITLES[step.page]}", icon=":material/arrow_forward:")


_PAGE_TITLES = {"pages/people.py": "People", "pages/definitions.py": "Definitions"}


def presenting() -> bool:
    return st.query_params.get(PRESENT_PARAM) == "1"


# A wall screen (Grafana's TV mode is the model): no menu, type that grows with the screen.
_PRESENTATION_CSS = """<style>
[data-testid="stToolbar"], [data-testid="stMainMenu"] { display: none; }
.sc-grid { grid-template-columns: repeat(auto-fit, minmax(max(11.5rem, 12vw), 1fr)); }
.sc-value { font-size: clamp(1.45rem, 2.1vw, 5rem); }
.sc-name, .sc-badge, .sc-change { font-size: clamp(.85rem, .95vw, 2.2rem); }
.sc-small, .sc-note { font-size: clamp(.75rem, .8vw, 1.8rem); }
.sc-spark img { height: clamp(2rem, 3.2vw, 7rem); }
[data-testid="stMainBlockContainer"] h1 { font-size: clamp(2rem, 2.4vw, 5rem); }
[data-testid="stMainBlockContainer"] h2 { font-size: clamp(1.5rem, 1.6vw, 3.4rem); }
[data-testid="stCaptionContainer"] p { font-size: clamp(.875rem, .9vw, 2rem); }
</style>"""


def presentation_styles() -> None:
    st.markdown(_PRESENTATION_CSS, unsafe_allow_html=True)


# A wall may rotate through the board and the two drill-downs (?present=1&rotate=30).
ROTATION = {
    "pages/board.py": "Board",
    "pages/journey.py": "Customer journey",
    "pages/reliability.py": "Reliability and security",
}
ROTATE_PARAM = "rotate"
ROTATE_LIMITS = (10, 3600)  # seconds per page


def rotation_seconds() -> int | None:
    """Seconds per page when the address asks for rotation (None: no rotation, or a bad value)."""
    text = st.query_params.get(ROTATE_PARAM) or ""
    low, high = ROTATE_LIMITS
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def next_in_rotation(current: str) -> str:
    pages = list(ROTATION)
    return pages[(pages.index(current) + 1) % len(pages)]


def stamp(view: BoardView, current: str | None = None) -> str:
    """What a wall screen says of its freshness (and, rotating, what comes next):
    'updated 09:41 · data to 2026-W47 · next: Customer journey in 30 s'."""
    line = f"updated {clock.now():%H:%M} · data to {view.period.label}"
    seconds = rotation_seconds() if current else None
    if current and seconds:
        line += f" · next: {ROTATION[next_in_rotation(current)]} in {seconds} s"
    return line


def presentation_loop(current: str) -> None:
    """On a wall screen: rerun when the database file changes (a new upload lands within
    REFRESH_SECONDS) and, when rotating, move on to the next page after its seconds."""
    seconds = rotation_seconds()
    if (asked := st.query_params.get(ROTATE_PARAM)) and seconds is None:  # said, not obeyed
        low, high = ROTATE_LIMITS
        st.warning(
            f"rotate={asked!r} is not a number of seconds from {low} to {high}: this screen stays put."
        )
    shown_since = time.monotonic()  # this page's full run: the rotation counts from here

    @st.fragment(run_every=REFRESH_SECONDS if seconds is None else min(REFRESH_SECONDS, max(seconds / 3, 2)))
    def tick() -> None:
        seen = st.session_state.setdefault("board-fingerprint", _fingerprint())
        current_print = _fingerprint()
        if current_print != seen:
            st.session_state["board-fingerprint"] = current_print
            st.rerun(scope="app")
        if seconds is not None and time.monotonic() - shown_since >= seconds:
            st.switch_page(next_in_rotation(current), query_params=dict(st.query_params))

    tick()


def history_chart(view: BoardView, t: Tile, periods_back: int, *, key: str) -> None:
    """A metric's interactive history, with its text alternative beneath it (what a sighted reader
    takes from it), for those who cannot see the chart."""
    st.plotly_chart(drilldown_history(view, t, periods_back), key=key)
    st.caption(plain(cards.describe(t, periods_back)))


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


def focused_metric(view: BoardView, areas: Sequence[str], back: int) -> None:
    """The metric a board tile linked to, first: its definition, tile and history."""
    asked = st.query_params.get("metric")
    t = view.tile(asked) if asked else None
    if t is None or t.definition.area not in areas:
        return
    d = t.definition
    st.header(d.name, divider="gray", anchor=False)
    st.caption(plain(f"{d.description} How it is calculated: {d.calculation}"))
    tiles_grid([t], view, d.name)
    history_chart(view, t, back, key=f"focus-{d.id}")


# Our own constant stylesheet (never a person's text): less empty space above the title so
# the journey and IT rows fit a 1366x768 screen; the cards' own styles follow.
_COMPACT_CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem; padding-bottom: 1rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0; }
[data-testid="stMainBlockContainer"] h2 { font-size: 1.5rem; padding: 0.2rem 0 0 0; }
"""


def compact_spacing() -> None:
    st.html(f"<style>{_COMPACT_CSS}{cards.STYLE}</style>")


def card_styles() -> None:
    """The cards' stylesheet, once per page that draws cards."""
    st.html(cards.style_html())


def area_drilldowns(view: BoardView, areas: Sequence[str], person: Person | None, *, key: str) -> None:
    """A drill-down page's body: the metric a board tile linked to (?metric=), then each
    area's tiles and long histories, then the events and the owners' note form."""
    back = 52
    if not presenting():
        back = (
            st.segmented_control(
                "History", [26, 52, 104], default=52, format_func=lambda n: f"last {n} values", key=key
            )
            or 52
        )
    focused_metric(view, areas, back)
    for area in areas:
        area_tiles = view.area(area)
        st.header(area.capitalize(), divider="gray", anchor=False)
        if not area_tiles:
            st.info(f"No agreed {area} metrics yet.")
            continue
        tiles_grid(area_tiles, view, f"{area.capitalize()} measures")
        for t in area_tiles:
            history_chart(view, t, back, key=f"history-{t.definition.id}")
    st.header("Timeline and notes", divider="gray", anchor=False)
    shown = tuple(t.definition.id for t in view.tiles if t.definition.area in areas)
    timeline_table([e for e in view.timeline if any(e.concerns(metric_id) for metric_id in shown)])
    if not presenting():
        ui.timeline.note_form(view, shown, person)
