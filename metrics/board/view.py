"""What the board shows: one tile per agreed metric for a chosen period, as known on a date.

The board reads a week, a month or a quarter. A metric reported more often than that
shows the average of its values in the period (the average week of a quarter), so it
still reads against its own target; a metric reported less often shows its newest
value whose period had ended by the end of the board's period.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics import periods, store
from metrics.board import commentary, status
from metrics.board import timeline as events
from metrics.catalog import definitions as catalog
from metrics.catalog import glossary as glossary_module
from metrics.catalog.definitions import CatalogEntry, MetricDefinition
from metrics.errors import InputRejected
from metrics.uploads import observations

CADENCE_RANK = {"weekly": 0, "monthly": 1, "quarterly": 2}
GRANULARITY_LABELS = {"weekly": "Week", "monthly": "Month", "quarterly": "Quarter"}
UPTIME_METRIC = "site_uptime"
SPARK_POINTS = 12
_UNIT_WORDS = {"weekly": "weeks", "monthly": "months", "quarterly": "quarters"}


@dataclass(frozen=True)
class BoardPeriod:
    cadence: str
    start: dt.date

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return periods.shift(self.start, self.cadence, 1)

    @property
    def label(self) -> str:
        return periods.label(self.start, self.cadence)

    @property
    def dates(self) -> str:
        last = self.end - dt.timedelta(days=1)
        return f"{self.start:%d %b} – {last:%d %b %Y}"

    def shifted(self, count: int) -> BoardPeriod:
        return BoardPeriod(self.cadence, periods.shift(self.start, self.cadence, count))


def latest_period(today: dt.date, cadence: str = "weekly") -> BoardPeriod:
    """The newest period of this length that has fully ended."""
    return BoardPeriod(cadence, periods.last_complete(today, cadence))


def newest_reported_period(
    con: store.Connection,
    today: dt.date,
    cadence: str = "weekly",
    as_of: dt.datetime | None = None,
    entries: Sequence[CatalogEntry] | None = None,
) -> BoardPeriod:
    """The board's default: the newest complete period of this length for which some agreed
    metric reported at this length (or finer) has a value, as known at ``as_of``. On a Monday
    morning, before last week's values arrive, that is the week before: never an empty board.
    ``entries`` are the board's metrics when the caller has them already."""
    newest = latest_period(today, cadence)
    ids = [
        e.definition.id
        for e in (catalog.board_entries(con, today, as_of) if entries is None else entries)
        if CADENCE_RANK[e.definition.cadence] <= CADENCE_RANK[cadence]
    ]
    arrived = observations.newest_period(con, ids, before=newest.end, as_of=as_of)
    if arrived is None:
        return newest
    return BoardPeriod(cadence, min(newest.start, periods.period_start(arrived, cadence)))


def recent_periods(today: dt.date, cadence: str, count: int = 12) -> list[BoardPeriod]:
    newest = latest_period(today, cadence)
    return [newest.shifted(-i) for i in range(count)]


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_period(text: str) -> BoardPeriod:
    """'2026-Q3', '2026-11' (or 'Nov 2026') or '2026-W47' -> the period."""
    raw = text.strip().upper()
    try:
        if match := _QUARTER.match(raw):
            return BoardPeriod("quarterly", dt.date(int(match[1]), 3 * int(match[2]) - 2, 1))
        if match := _MONTH.match(raw):
            return BoardPeriod("monthly", dt.date(int(match[1]), int(match[2]), 1))
        if match := _WEEK.match(raw):
            return BoardPeriod("weekly", dt.date.fromisocalendar(int(match[1]), int(match[2]), 1))
        return BoardPeriod("monthly", dt.datetime.strptime(text.strip(), "%b %Y").date())
    except ValueError as exc:
        raise InputRejected(
            f"{text!r} is not a period. Write a quarter as 2026-Q3, a month as 2026-11 or a week as 2026-W47."
        ) from exc


# ---------------------------------------------------------------- readings


@dataclass(frozen=True)
class Reading:
    """The value a tile shows for a period, and where it came from."""

    value: float
    first: dt.date  # the earliest of the metric's own periods that went into it
    last: dt.date  # the newest of them
    count: int
    exact: bool  # True when it is the value *for* the board's period (not an older one)


@dataclass(frozen=True)
class Values:
    """One metric's values in force, oldest first, as plain lists (a board reads two dozen
    of these per run; list slicing is many times cheaper than filtering small DataFrames)."""

    starts: list[dt.date]
    values: list[float]

    @classmethod
    def of(cls, history: pd.DataFrame) -> Values:
        return cls(list(history["period_start"]), [float(v) for v in history["value"]])


def exact_reading(series: Values, cadence: str, period: BoardPeriod) -> Reading | None:
    """The value for exactly this period: the one value of the same cadence, or the average
    of a finer cadence's values inside it. None when missing or the cadence is coarser."""
    if CADENCE_RANK[cadence] > CADENCE_RANK[period.cadence]:
        return None
    low = bisect.bisect_left(series.starts, period.start)
    high = bisect.bisect_left(series.starts, period.end)
    if low >= high:
        return None
    inside = series.values[low:high]
    return Reading(sum(inside) / len(inside), series.starts[low], series.starts[high - 1], len(inside), True)


def reading(series: Values, cadence: str, period: BoardPeriod) -> Reading | None:
    """The value for the period. A metric reported as often as the period or more owes exactly
    that (an older value is never shown in its place, so every tile and funnel stage of one
    board reads the same period); one reported less often gives its newest value whose own
    period had ended by the period's end."""
    found = exact_reading(series, cadence, period)
    if found is not None or CADENCE_RANK[cadence] <= CADENCE_RANK[period.cadence]:
        return found
    index = bisect.bisect_left(series.starts, period.end) - 1
    while index >= 0 and periods.shift(series.starts[index], cadence, 1) > period.end:
        index -= 1
    if index < 0:
        return None
    start = series.starts[index]
    return Reading(series.values[index], start, start, 1, False)


# ---------------------------------------------------------------- tiles


@dataclass(frozen=True)
class Tile:
    entry: CatalogEntry
    latest_period: dt.date | None  # the newest of the metric's own periods in the value
    latest: float | None
    previous: float | None
    year_ago: float | None
    rag: str
    stale: bool
    history: pd.DataFrame  # period_start, value (oldest first), up to the end of the board's period
    basis: BoardPeriod | None = None  # the period the value stands for
    count: int = 0
    note: commentary.Note | None = None
    reported: bool = False  # the value for the period this board expects of the metric has arrived

    @property
    def definition(self) -> MetricDefinition:
        return self.entry.definition

    @property
    def delta(self) -> float | None:
        return status.change(self.latest, self.previous)

    @property
    def year_delta(self) -> float | None:
        return status.change(self.latest, self.year_ago)

    @property
    def word(self) -> str:
        """The status word: 'on target' only when the value meets the target (see status.word)."""
        return status.word(self.latest, self.definition)

    @property
    def change_pending(self) -> bool:
        return self.entry.status == "change pending"

    @property
    def period_label(self) -> str:
        if self.latest_period is None or self.basis is None:
            return "not reported yet" if not self.history.empty else "no data yet"
        if self.count > 1:
            return f"{self.basis.label} · average of {self.count} {_UNIT_WORDS[self.definition.cadence]}"
        return self.basis.label

    @property
    def spark(self) -> list[float]:
        return [float(v) for v in self.history["value"].tail(SPARK_POINTS)]


def build_tile(
    entry: CatalogEntry,
    history: pd.DataFrame,
    period: BoardPeriod,
    notes: dict[tuple[str, dt.date], commentary.Note] | None = None,
) -> Tile:
    d = entry.definition
    series = Values.of(history)
    shown = bisect.bisect_left(series.starts, period.end)
    if shown < len(series.starts):  # values for later periods are not part of this board
        series = Values(series.starts[:shown], series.values[:shown])
        history = history.iloc[:shown]
    found = reading(series, d.cadence, period)
    if found is None:
        return Tile(entry, None, None, None, None, status.NO_DATA, True, history)
    basis = period if found.exact else BoardPeriod(d.cadence, found.last)
    expected = period if found.exact else latest_period(period.end, d.cadence)
    previous = exact_reading(series, d.cadence, basis.shifted(-1))
    year_ago = exact_reading(series, d.cadence, basis.shifted(-periods.periods_per_year(basis.cadence)))
    own_starts = list(periods.span(found.first, found.last, d.cadence))
    return Tile(
        entry,
        found.last,
        found.value,
        previous.value if previous else None,
        year_ago.value if year_ago else None,
        status.rag(found.value, d),
        status.is_stale(found.last, d.cadence, period.end),
        history,
        basis,
        found.count,
        commentary.newest_within(notes or {}, d.id, own_starts),
        reported=basis == expected,
    )


def histories(
    con: store.Connection, entries: Sequence[CatalogEntry], as_of: dt.datetime | None
) -> dict[str, pd.DataFrame]:
    """Each metric's values in force (as known at ``as_of``), oldest first."""
    values = observations.values_in_force(con, [e.definition.id for e in entries], as_of=as_of)
    columns: dict[str, tuple[list[dt.date], list[float]]] = {}
    for metric_id, start, value in zip(
        values["metric_id"].tolist(), values["period_start"].tolist(), values["value"].tolist(), strict=True
    ):
        starts, numbers = columns.setdefault(metric_id, ([], []))
        starts.append(start)
        numbers.append(value)
    return {e.definition.id: _history_frame(*columns.get(e.definition.id, ([], []))) for e in entries}


def _history_frame(starts: list[dt.date], numbers: list[float]) -> pd.DataFrame:
    # numpy arrays straight in: a per-metric astype cost more than the query behind the board
    return pd.DataFrame(
        {"period_start": np.array(starts, dtype=object), "value": np.array(numbers, dtype=float)},
        columns=["period_start", "value"],
    )


def as_of_moment(as_of: dt.date | None) -> dt.datetime | None:
    """Numbers as known at the end of that day (UTC); None = everything known now."""
    return None if as_of is None else dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())


def known_at(as_of: dt.date | None, today: dt.date) -> dt.datetime | None:
    """The moment a view "as of" a day reads: the end of a past day; None (everything known
    now) for no day, today or later."""
    return None if as_of is None or as_of >= today else as_of_moment(as_of)


def tiles(
    con: store.Connection,
    today: dt.date,
    as_of: dt.datetime | None = None,
    period: BoardPeriod | None = None,
    entries: Sequence[CatalogEntry] | None = None,
) -> list[Tile]:
    """Every agreed metric's tile, in catalog area order (``entries``: the board's metrics, when
    the caller has them already)."""
    period = period or latest_period(today)
    entries = catalog.board_entries(con, today, as_of) if entries is None else entries
    found = histories(con, entries, as_of)
    horizon = periods.shift(period.start, "quarterly", -2)
    notes = commentary.in_force(con, horizon, period.end, as_of)
    result = [build_tile(e, found[e.definition.id], period, notes) for e in entries]
    order = {area: i for i, area in enumerate(catalog.AREAS)}
    return sorted(result, key=lambda t: (order[t.definition.area], t.definition.name))


def summary(board: list[Tile]) -> dict[str, int]:
    """How many tiles carry each status word, for the headline."""
    counts = dict.fromkeys(status.WORDS, 0)
    for tile in board:
        counts[tile.word] += 1
    return counts


# ---------------------------------------------------------------- the whole view


@dataclass(frozen=True)
class FunnelStep:
    area: str
    label: str
    volume: float | None  # a count for the board's period; None for a stage told only as a rate
    rate: float | None  # percent
    rate_text: str
    estimated: bool = False  # a count worked out from a rate, not one that was reported
    basis: str = ""  # the period the rate is for, when it is not the count's period


@dataclass(frozen=True)
class BoardView:
    period: BoardPeriod
    as_of: dt.date
    tiles: list[Tile]
    budget: status.ErrorBudget | None
    timeline: list[events.Event] = field(default_factory=list)

    def tile(self, metric_id: str) -> Tile | None:
        return next((t for t in self.tiles if t.definition.id == metric_id), None)

    def area(self, area: str) -> list[Tile]:
        return [t for t in self.tiles if t.definition.area == area]

    @property
    def counts(self) -> dict[str, int]:
        return summary(self.tiles)

    @property
    def missing(self) -> list[Tile]:
        """Tiles whose value for the period this board expects has not arrived."""
        return [t for t in self.tiles if not t.reported]

    @property
    def reported_line(self) -> str:
        """'22 of 24 reported · waiting for Lead sign-ups, NPS' (or 'all 24 reported')."""
        total, waiting = len(self.tiles), self.missing
        if not waiting:
            return f"all {total} reported"
        names = ", ".join(t.definition.name for t in waiting)
        return f"{total - len(waiting)} of {total} reported · waiting for {names}"


def error_budget(board: Sequence[Tile], period: BoardPeriod) -> status.ErrorBudget | None:
    """Uptime against its SLO (the agreed target) over the board's period."""
    uptime = next((t for t in board if t.definition.id == UPTIME_METRIC), None)
    if uptime is None:
        return None
    d = uptime.definition
    values = zip(uptime.history["period_start"], uptime.history["value"], strict=True)
    return status.error_budget(values, d.cadence, d.target, period.start, period.end)


def view(
    con: store.Connection, today: dt.date, period: BoardPeriod | None = None, as_of: dt.date | None = None
) -> BoardView:
    """Everything the board page and the pack show, for one period as known on one day
    (by default the newest week whose values have arrived by then)."""
    moment = known_at(as_of, today)
    # as of a past day, "due for review" is judged on that day too: a rebuilt pack reads as the frozen one
    day = today if moment is None or as_of is None else as_of
    entries = catalog.board_entries(con, day, moment)  # read once, for the default period and the tiles
    period = period or newest_reported_period(con, as_of or today, "weekly", moment, entries)
    board = tiles(con, day, moment, period, entries)
    first = min(
        (t.history["period_start"].iloc[0] for t in board if not t.history.empty), default=period.start
    )
    timeline = events.between(con, first, period.end - dt.timedelta(days=1), moment)
    return BoardView(period, as_of or today, board, error_budget(board, period), timeline)


def funnel(board: BoardView) -> list[FunnelStep]:
    """The journey as comparable counts of one period with the rate between them, from the
    agreed metrics.

    Orders are estimated from sessions and the conversion rate (the rate's own definition) only
    when both are values for the same period; loyalty is told as its rate alone, with its own
    period (a month's repeat purchase rate times a week's orders would be a number of nothing)."""

    def reading(metric_id: str) -> tuple[float | None, BoardPeriod | None]:
        tile = board.tile(metric_id)
        return (tile.latest, tile.basis) if tile else (None, None)

    (sessions, when), (leads, leads_when) = reading("sessions"), reading("lead_signups")
    (conversion, conversion_when), (repeat, repeat_when) = (
        reading("conversion_rate"),
        reading("repeat_purchase_rate"),
    )
    if leads_when != when:
        leads = None
    same = conversion is not None and sessions is not None and conversion_when == when
    orders = sessions * conversion / 100 if same and sessions is not None and conversion is not None else None
    lead_rate = 100 * leads / sessions if leads is not None and sessions else None
    repeat_basis = repeat_when.label if repeat_when is not None and repeat_when != when else ""
    return [
        FunnelStep("awareness", "Website sessions", sessions, None, "visits to web and app"),
        FunnelStep("consideration", "Lead sign-ups", leads, lead_rate, "of sessions sign up"),
        FunnelStep(
            "conversion", "Orders (est.)", orders, conversion, "of sessions place an order", estimated=True
        ),
        FunnelStep("loyalty", "Repeat buyers", None, repeat, "of buyers order again", basis=repeat_basis),
    ]


# ---------------------------------------------------------------- what the headline reads

#: the one metric per journey stage the headline shows, in funnel order
JOURNEY_HEADLINE = ("sessions", "lead_signups", "conversion_rate", "repeat_purchase_rate")
#: uptime first (the error budget sits beside it), then security, then delivery
IT_HEADLINE = (
    "site_uptime",
    "security_incidents",
    "mttr_hours",
    "unreviewed_saas_tools",
    "lead_time_days",
    "new_work_share",
)


def last_points(tile: Tile, count: int) -> Tile:
    """The same tile with only its last ``count`` values kept for drawing."""
    return dataclasses.replace(tile, history=tile.history.tail(count).reset_index(drop=True))


def tile_notes(tile: Tile, board_period: BoardPeriod | None = None, *, compact: bool = False) -> list[str]:
    """The small print under a tile: period, target, year-on-year, freshness, pending change."""
    d = tile.definition
    # The board's own period is written at the top; a tile names its period only when it differs.
    same = tile.basis == board_period and tile.count <= 1
    notes = [] if same else [tile.period_label]
    if tile.latest_period is not None:
        notes.append(f"target {status.format_value(d.target, d)}")
        year = status.format_change(tile.year_delta, d)
        notes.append(f"{year} vs last year" if year else "no value a year earlier")
        if tile.delta is None:
            notes.append("no value the period before")
    if tile.stale and tile.latest_period is not None:
        notes.append("⚠ stale: newer values are overdue")
    if tile.change_pending:
        notes.append("✎ change pending")
    elif tile.entry.status == "due for review":
        notes.append("due for review")
    if compact:  # a narrow tile keeps the period, the target and what needs attention
        notes = [n for n in notes if "last year" not in n and "period before" not in n]
    return notes


def funnel_text(steps: Sequence[FunnelStep]) -> str:
    """The journey in one line: each stage's count and the rate that led to it; an estimated
    count says so, and a rate for another period names it."""
    parts = []
    for step in steps:
        if step.volume is None and step.rate is None:
            parts.append(f"{step.label}: no data")
        elif step.volume is None:
            assert step.rate is not None
            parts.append(f"{step.rate:.1f}% {step.rate_text}" + (f" ({step.basis})" if step.basis else ""))
        elif step.rate is None:
            parts.append(f"{step.volume:,.0f} {step.label.lower()}")
        else:
            count = f"≈{step.volume:,.0f} estimated" if step.estimated else f"{step.volume:,.0f}"
            parts.append(f"{step.rate:.1f}% {step.rate_text} ({count})")
    return " → ".join(parts)


def glossary_terms(d: MetricDefinition, glossary: Mapping[str, str]) -> list[tuple[str, str]]:
    """The glossary terms a definition uses, for its hover text."""
    return list(glossary_module.terms_in(f"{d.name}. {d.description}", glossary))
