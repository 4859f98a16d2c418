"""What the drill-down pages add to a tile: segments, targets over time, the budget's burn."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from metrics import periods, store
from metrics.board import status
from metrics.board.view import BoardView, Tile
from metrics.catalog import definitions as catalog
from metrics.uploads import observations


def segment_names(con: store.Connection, metric_id: str) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT segment FROM observations WHERE metric_id = ? AND segment <> '' ORDER BY segment",
        [metric_id],
    ).fetchall()
    return [str(r[0]) for r in rows]


def segments(
    con: store.Connection, metric_id: str, before: dt.date, as_of: dt.datetime | None = None
) -> dict[str, pd.DataFrame]:
    """Each segment's values in force (as known at ``as_of``) for periods starting before ``before``."""
    found = {}
    for name in segment_names(con, metric_id):
        frame = observations.values_in_force(con, [metric_id], segment=name, as_of=as_of)
        found[name] = frame.loc[frame["period_start"] < before, ["period_start", "value"]].reset_index(
            drop=True
        )
    return found


def targets(con: store.Connection, metric_id: str) -> pd.DataFrame:
    """The agreed target over time: one row per version signed by both sides (from, target),
    agreed by the catalog's one rule."""
    return pd.DataFrame(catalog.targets_over_time(con, metric_id), columns=["from", "target"])


def budget_burn(view: BoardView) -> pd.DataFrame:
    """Cumulative downtime (minutes) through the board's period, one row per uptime value."""
    uptime = view.tile("site_uptime")
    columns = ["period_start", "used", "allowed"]
    if uptime is None or view.budget is None:
        return pd.DataFrame(columns=columns)
    d, period = uptime.definition, view.period
    rows, used = [(period.start, 0.0, view.budget.allowed_minutes)], 0.0
    for start, value in zip(uptime.history["period_start"], uptime.history["value"], strict=True):
        end = periods.shift(start, d.cadence, 1)
        if end <= period.start or start >= period.end:
            continue
        part = status.error_budget([(start, value)], d.cadence, d.target, period.start, period.end)
        used += part.used_minutes
        rows.append((min(end, period.end), used, view.budget.allowed_minutes))
    return pd.DataFrame(rows, columns=columns)


def long_history(tile: Tile, periods_back: int) -> Tile:
    """The same tile with only the last ``periods_back`` values kept for drawing."""
    return dataclasses.replace(tile, history=tile.history.tail(periods_back).reset_index(drop=True))
