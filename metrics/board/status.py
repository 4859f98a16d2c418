"""Red/amber/green against agreed targets, error budgets, change, freshness and number formatting."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from metrics import periods
from metrics.catalog.definitions import MetricDefinition

GREEN, AMBER, RED, NO_DATA = "green", "amber", "red", "no data"
RAG_ORDER = {RED: 0, AMBER: 1, GREEN: 2, NO_DATA: 3}

# The status words. Each means one thing, and the page, the pack, the brief and the glossary
# all use these: green splits into "on target" (the value meets the agreed target) and
# "near target" (short of it, but within the amber line the two sides agreed to tolerate).
ON_TARGET, NEAR_TARGET, TO_WATCH, OFF_TARGET = "on target", "near target", "to watch", "off target"
WORDS = (ON_TARGET, NEAR_TARGET, TO_WATCH, OFF_TARGET, NO_DATA)
#: the colour each word is drawn in
WORD_RAG = {ON_TARGET: GREEN, NEAR_TARGET: GREEN, TO_WATCH: AMBER, OFF_TARGET: RED, NO_DATA: NO_DATA}
#: a shape beside every word, so status never rests on colour alone
WORD_SHAPES = {ON_TARGET: "●", NEAR_TARGET: "◐", TO_WATCH: "▲", OFF_TARGET: "■", NO_DATA: "○"}


def label(word: str) -> str:
    """A status word as a badge reads it: its shape, then the word ('▲ To watch')."""
    return f"{WORD_SHAPES[word]} {word.capitalize()}"


def rag(value: float | None, d: MetricDefinition) -> str:
    """Direction-aware status: green at or better than the amber threshold,
    amber up to and including the red threshold, red beyond it, all compared at
    the precision the value is shown with (99.89999999999999% shows, and reads, as 99.90%)."""
    return rag_for(shown(value, d), higher_is_better=d.higher_is_better, amber=d.amber, red=d.red)


def word(value: float | None, d: MetricDefinition) -> str:
    """The status word for a metric's value: 'on target' only when the shown value meets the target."""
    value_shown = shown(value, d)
    colour = rag_for(value_shown, higher_is_better=d.higher_is_better, amber=d.amber, red=d.red)
    if colour != GREEN or value_shown is None:
        return rag_word(colour)
    meets = value_shown >= d.target if d.higher_is_better else value_shown <= d.target
    return ON_TARGET if meets else NEAR_TARGET


def count_line(counts: dict[str, int]) -> str:
    """The headline count of tiles per status word: '12 on target · 2 near target · 6 to watch · ...'.
    'near target' and 'no data' show only when some tile has them."""
    parts = [
        f"{counts.get(w, 0)} {w}" for w in WORDS if counts.get(w, 0) or w in (ON_TARGET, TO_WATCH, OFF_TARGET)
    ]
    return " · ".join(parts)


def rag_word(colour: str) -> str:
    """The word for a colour where no separate target splits green (the error budget): green is
    on target."""
    return {GREEN: ON_TARGET, AMBER: TO_WATCH, RED: OFF_TARGET, NO_DATA: NO_DATA}[colour]


def shown(value: float | None, d: MetricDefinition) -> float | None:
    """The value rounded as ``format_value`` shows it; None or NaN stay missing."""
    if value is None or math.isnan(value):
        return None
    if math.isinf(value):
        return value
    return round(value, decimals(value, d))


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
        """Compared as shown: whole percent left (24.6% left shows, and reads, as 25%)."""
        left = self.left_percent
        shown_left = None if left is None else round(left)
        return rag_for(shown_left, higher_is_better=True, amber=BUDGET_AMBER, red=BUDGET_RED)

    @property
    def word(self) -> str:
        return rag_word(self.rag)

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
    return "—" if value is None else f"{round(value)}% left"  # round(): never "-0% left"


def decimals(value: float, d: MetricDefinition) -> int:
    """How many decimals a value of this metric is shown with (and so compared at)."""
    if d.unit == "percent":
        return 2 if value >= 99 else _decimals(value)
    if d.unit == "ratio":
        return 3
    if d.unit == "count":
        return _count_decimals(value)
    if d.unit == "currency":
        return 2
    return _decimals(value)


def _shown(value: float, places: int) -> float:
    """``value`` as printed with ``places`` decimals, never a negative zero ("-0.00" reads as a fall)."""
    return round(value, places) + 0.0  # -0.0 + 0.0 is 0.0


def format_value(value: float | None, d: MetricDefinition) -> str:
    if value is None or math.isnan(value):
        return "—"
    places = decimals(value, d)
    value = _shown(value, places)
    if d.unit == "percent":
        return f"{value:.{places}f}%"
    if d.unit == "ratio":
        return f"{value:.{places}f}"
    if d.unit == "count":
        return f"{value:,.{places}f}"
    if d.unit == "currency":
        symbol = "$" if d.unit_label.upper() in {"USD", "$"} else ""
        suffix = "" if symbol else f" {d.unit_label}".rstrip()
        return f"{symbol}{value:,.{places}f}{suffix}"
    text = f"{value:,.{places}f}"
    return f"{text} {d.unit_label}".strip()


def format_change(delta: float | None, d: MetricDefinition) -> str | None:
    """A signed change in the metric's own unit ('pp' for percentage points)."""
    if delta is None:
        return None
    if d.unit == "percent":
        return f"{_shown(delta, _decimals(delta)):+.{_decimals(delta)}f} pp"
    if d.unit == "currency":
        return f"{'-' if _shown(delta, 2) < 0 else '+'}{format_value(abs(delta), d)}"
    if d.unit == "count":
        places = _count_decimals(delta)
        return f"{_shown(delta, places):+,.{places}f}"
    text = f"{_shown(delta, _decimals(delta)):+,.{_decimals(delta)}f}"
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
