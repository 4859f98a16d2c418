"""Red/amber/green against agreed targets, error budgets, change, freshness and number formatting."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from metrics import periods
from metrics.catalog import MetricDefinition

GREEN, AMBER, RED, NO_DATA = "green", "amber", "red", "no data"
RAG_ORDER = {RED: 0, AMBER: 1, GREEN: 2, NO_DATA: 3}


def rag(value: float | None, d: MetricDefinition) -> str:
    """Direction-aware status: green at or better than the amber threshold,
    amber up to and including the red threshold, red beyond it."""
    return rag_for(value, higher_is_better=d.higher_is_better, amber=d.amber, red=d.red)


def rag_for(value: float | None, *, higher_is_better: bool, amber: float, red: float) -> str:
    """The one red/amber/green rule, for metrics and for anything read on the same scale."""
    if value is None or math.isnan(value):
        return NO_DATA
    if higher_is_better:
        if value >= amber:
            return GREEN
        return AMBER if value >= red else RED
    if value <= amber:
        return GREEN
    return AMBER if value <= red else RED


# Error budget left, in percent of the budget, read on the same scale as a higher-is-better
# metric: green while a quarter or more is left, amber down to exactly spent, red when overspent.
BUDGET_AMBER = 25.0
BUDGET_RED = 0.0
_MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class ErrorBudget:
    """Downtime the SLO allows in a period, and how much of it the measured uptime used."""

    slo: float  # percent, e.g. 99.9
    period_days: int
    covered_days: int  # days of the period with an uptime value
    used_minutes: float

    @property
    def allowed_minutes(self) -> float:
        return (100.0 - self.slo) / 100.0 * self.period_days * _MINUTES_PER_DAY

    @property
    def left_percent(self) -> float | None:
        """Share of the budget not yet used; negative when overspent; None without data."""
        if self.covered_days == 0 or self.allowed_minutes <= 0:
            return None
        return 100.0 * (1.0 - self.used_minutes / self.allowed_minutes)

    @property
    def rag(self) -> str:
        return rag_for(self.left_percent, higher_is_better=True, amber=BUDGET_AMBER, red=BUDGET_RED)

    @property
    def complete(self) -> bool:
        return self.covered_days >= self.period_days

    def describe(self) -> str:
        left = self.left_percent
        if left is None:
            return "no uptime values in this period"
        used = f"{self.used_minutes:,.0f} of {self.allowed_minutes:,.0f} min downtime used"
        gap = "" if self.complete else f" ({self.covered_days} of {self.period_days} days reported)"
        return f"{used}{gap}"


def error_budget(
    uptime: Iterable[tuple[dt.date, float]], cadence: str, slo: float, start: dt.date, end: dt.date
) -> ErrorBudget:
    """Budget for the days [start, end) from uptime values (period start, percent) of ``cadence``.

    A value whose period straddles the boundary counts for the days inside only, so
    the week of an outage that began in June spends July's budget for its July days.
    """
    used = 0.0
    covered = 0
    for period_start, value in uptime:
        period_end = periods.shift(period_start, cadence, 1)
        days = (min(period_end, end) - max(period_start, start)).days
        if days <= 0 or math.isnan(value):
            continue
        covered += days
        used += (100.0 - value) / 100.0 * days * _MINUTES_PER_DAY
    return ErrorBudget(slo, (end - start).days, covered, used)


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


def format_percent_left(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}% left"


def format_value(value: float | None, d: MetricDefinition) -> str:
    if value is None or math.isnan(value):
        return "—"
    if d.unit == "percent":
        return f"{value:.{2 if value >= 99 else _decimals(value)}f}%"
    if d.unit == "ratio":
        return f"{value:.3f}"
    if d.unit == "count":
        return f"{value:,.{_count_decimals(value)}f}"
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
        return f"{delta:+,.{_count_decimals(delta)}f}"
    text = f"{delta:+,.{_decimals(delta)}f}"
    return f"{text} {d.unit_label}".strip()


def _count_decimals(value: float) -> int:
    """Counts are whole, but an average of them (a quarter's average month) may not be:
    0.7 incidents a month must not read as 1, nor a change of -0.3 as '-0'."""
    return 1 if value != round(value) and abs(value) < 100 else 0


def _decimals(value: float) -> int:
    size = abs(value)
    if size >= 1000:
        return 0
    if size >= 100:
        return 1 if size % 1 else 0
    return 2 if size < 10 else 1
