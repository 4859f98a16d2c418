"""What the board page shows: one tile per agreed metric, grouped by area."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from metrics import catalog, observations, periods, status, store
from metrics.catalog import CatalogEntry, MetricDefinition


@dataclass(frozen=True)
class Tile:
    entry: CatalogEntry
    latest_period: dt.date | None
    latest: float | None
    previous: float | None
    year_ago: float | None
    rag: str
    stale: bool
    history: pd.DataFrame  # period_start, value (oldest first)

    @property
    def definition(self) -> MetricDefinition:
        return self.entry.definition

    @property
    def delta(self) -> float | None:
        return status.change(self.latest, self.previous)

    @property
    def period_label(self) -> str:
        if self.latest_period is None:
            return "no data yet"
        return periods.label(self.latest_period, self.definition.cadence)


def _value_at(history: pd.DataFrame, start: dt.date) -> float | None:
    match = history.loc[history["period_start"] == start, "value"]
    return float(match.iloc[0]) if len(match) else None


def build_tile(entry: CatalogEntry, history: pd.DataFrame, today: dt.date) -> Tile:
    d = entry.definition
    if history.empty:
        return Tile(entry, None, None, None, None, status.NO_DATA, True, history)
    last = history.iloc[-1]
    latest_period: dt.date = last["period_start"]
    latest = float(last["value"])
    previous = _value_at(history, periods.shift(latest_period, d.cadence, -1))
    year_ago = _value_at(
        history, periods.shift(latest_period, d.cadence, -periods.periods_per_year(d.cadence))
    )
    return Tile(
        entry,
        latest_period,
        latest,
        previous,
        year_ago,
        status.rag(latest, d),
        status.is_stale(latest_period, d.cadence, today),
        history,
    )


def tiles(con: store.Connection, today: dt.date, as_of: dt.datetime | None = None) -> list[Tile]:
    """Every agreed metric's tile, in catalog area order."""
    entries = catalog.board_entries(con, today)
    values = observations.values_in_force(con, [e.definition.id for e in entries], as_of=as_of)
    grouped = {metric_id: frame for metric_id, frame in values.groupby("metric_id", sort=False)}
    empty = pd.DataFrame({"period_start": pd.Series(dtype=object), "value": pd.Series(dtype=float)})
    result = []
    for entry in entries:
        history = grouped.get(entry.definition.id)
        history = empty if history is None else history[["period_start", "value"]].reset_index(drop=True)
        result.append(build_tile(entry, history, today))
    order = {area: i for i, area in enumerate(catalog.AREAS)}
    return sorted(result, key=lambda t: (order[t.definition.area], t.definition.name))


def summary(board: list[Tile]) -> dict[str, int]:
    """How many tiles are in each status, for the headline."""
    counts = {status.GREEN: 0, status.AMBER: 0, status.RED: 0, status.NO_DATA: 0}
    for tile in board:
        counts[tile.rag] += 1
    return counts
