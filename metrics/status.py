"""Red/amber/green against agreed targets, change, freshness and number formatting."""

from __future__ import annotations

import datetime as dt
import math

from metrics import periods
from metrics.catalog import MetricDefinition

GREEN, AMBER, RED, NO_DATA = "green", "amber", "red", "no data"
RAG_ORDER = {RED: 0, AMBER: 1, GREEN: 2, NO_DATA: 3}


def rag(value: float | None, d: MetricDefinition) -> str:
    """Direction-aware status: green at or better than the amber threshold,
    amber up to and including the red threshold, red beyond it."""
    if value is None or math.isnan(value):
        return NO_DATA
    if d.higher_is_better:
        if value >= d.amber:
            return GREEN
        return AMBER if value >= d.red else RED
    if value <= d.amber:
        return GREEN
    return AMBER if value <= d.red else RED


def is_stale(latest_period: dt.date | None, cadence: str, today: dt.date) -> bool:
    """Stale when the newest value is more than one period behind the last complete one."""
    if latest_period is None:
        return True
    allowed = periods.shift(periods.last_complete(today, cadence), cadence, -1)
    return latest_period < allowed


def change(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return current - previous


def improved(delta: float | None, d: MetricDefinition) -> bool | None:
    """Whether a change is good news, given the metric's direction."""
    if delta is None or delta == 0:
        return None
    return (delta > 0) == d.higher_is_better


def format_value(value: float | None, d: MetricDefinition) -> str:
    if value is None or math.isnan(value):
        return "—"
    if d.unit == "percent":
        return f"{value:.{2 if value >= 99 else _decimals(value)}f}%"
    if d.unit == "ratio":
        return f"{value:.3f}"
    if d.unit == "count":
        return f"{value:,.0f}"
    if d.unit == "currency":
        symbol = "$" if d.unit_label.upper() in {"USD", "$"} else ""
        suffix = "" if symbol else f" {d.unit_label}".rstrip()
        return f"{symbol}{value:,.2f}{suffix}"
    text = f"{value:,.{_decimals(value)}f}"
    return f"{text} {d.unit_label}".strip()


def format_change(delta: float | None, d: MetricDefinition) -> str | None:
    """A signed change in the metric's own unit ('pp' for percentage points)."""
    if delta is None:
        return None
    if d.unit == "percent":
        return f"{delta:+.{_decimals(delta)}f} pp"
    if d.unit == "currency":
        return f"{'+' if delta >= 0 else '-'}{format_value(abs(delta), d)}"
    if d.unit == "count":
        return f"{delta:+,.0f}"
    text = f"{delta:+,.{_decimals(delta)}f}"
    return f"{text} {d.unit_label}".strip()


def _decimals(value: float) -> int:
    size = abs(value)
    if size >= 1000:
        return 0
    if size >= 100:
        return 1 if size % 1 else 0
    return 2 if size < 10 else 1
