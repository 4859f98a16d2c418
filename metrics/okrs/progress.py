"""Key-result progress, computed from stored values and never typed in.

Progress is the share of the way from the baseline to the target that the newest
complete value has travelled, in the metric's own direction. Its status compares
that share with the share of the time elapsed *up to the end of the period the value
describes*: a monthly metric reported a month late is judged on what was known about
that month, not penalised for the reporting lag (a lagging feed is flagged as stale).

A key result whose target is not better than its baseline (equal, or on the worse
side) is a guardrail: "hold uptime at 99.9% or better". It is met or not met.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from metrics import periods
from metrics.board import status
from metrics.catalog.definitions import MetricDefinition

ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = "on track", "at risk", "off track", "no data"
#: worst last, for "the objective is as healthy as its weakest key result"
STATUS_ORDER = {ON_TRACK: 0, AT_RISK: 1, OFF_TRACK: 2}
#: Behind the time elapsed by at most this share of the way: still on track.
ON_TRACK_GAP = 0.10
#: Behind by more than ON_TRACK_GAP and at most this: at risk; further behind: off track.
AT_RISK_GAP = 0.25
_TOLERANCE = 1e-9  # shares are ratios of floats; a gap of exactly 0.10 must read as 0.10


@dataclass(frozen=True)
class KeyResultSpec:
    """What a key result asks of its metric."""

    metric_id: str
    baseline: float
    target: float
    due: dt.date  # last day that counts (inclusive)


@dataclass(frozen=True)
class KeyResultProgress:
    spec: KeyResultSpec
    definition: MetricDefinition
    current: float | None  # the newest complete value in the objective's window
    current_period: dt.date | None  # the start of that value's period
    raw: float | None  # share of the way, unclamped (negative = went backwards)
    elapsed: float  # share of the time elapsed at the end of the value's period
    reached: bool
    stale: bool
    status: str

    @property
    def is_guardrail(self) -> bool:
        return is_guardrail(self.spec, self.definition)

    @property
    def progress(self) -> float | None:
        """Progress for a bar: 0 to 1."""
        return None if self.raw is None else min(max(self.raw, 0.0), 1.0)


def is_better(value: float, than: float, d: MetricDefinition) -> bool:
    """At or better than ``than``, in the metric's direction."""
    return value >= than if d.higher_is_better else value <= than


def is_guardrail(spec: KeyResultSpec, d: MetricDefinition) -> bool:
    """A target equal to the baseline or worse than it asks to hold a level, not to move."""
    return spec.target == spec.baseline or is_better(spec.baseline, spec.target, d)


def share_of_way(current: float, spec: KeyResultSpec, d: MetricDefinition) -> float:
    """How far from baseline to target, direction-aware; guardrails are 1 (held) or 0."""
    if is_guardrail(spec, d):
        return 1.0 if is_better(current, spec.target, d) else 0.0
    # (target - baseline) carries the sign of the direction, so one formula serves both.
    return (current - spec.baseline) / (spec.target - spec.baseline)


def elapsed_share(start: dt.date, due: dt.date, at: dt.date) -> float:
    """Share of [start, due] (due inclusive) that has passed by the start of day ``at``."""
    total = (due - start).days + 1
    return min(max((at - start).days / total, 0.0), 1.0)


def status_for(raw: float | None, elapsed: float, *, reached: bool, guardrail: bool) -> str:
    """On track / at risk / off track from progress and time elapsed."""
    if raw is None:
        return NO_DATA
    if reached:
        return ON_TRACK
    if guardrail or elapsed >= 1.0:  # a broken guardrail, or time is up and the target was missed
        return OFF_TRACK
    gap = elapsed - min(max(raw, 0.0), 1.0)
    if gap <= ON_TRACK_GAP + _TOLERANCE:
        return ON_TRACK
    return AT_RISK if gap <= AT_RISK_GAP + _TOLERANCE else OFF_TRACK


def newest_in_window(
    history: pd.DataFrame, cadence: str, start: dt.date, due: dt.date, on: dt.date
) -> tuple[dt.date, float] | None:
    """The newest value whose period starts in [start, due] and had ended by ``on``.

    Values for periods after the due date do not count: the key result is judged at its due date.
    """
    best: tuple[dt.date, float] | None = None
    for period_start, value in zip(history["period_start"], history["value"], strict=True):
        if not start <= period_start <= due or math.isnan(value):
            continue
        if periods.shift(period_start, cadence, 1) > on:
            continue
        if best is None or period_start > best[0]:
            best = (period_start, float(value))
    return best


def evaluate(
    spec: KeyResultSpec, d: MetricDefinition, history: pd.DataFrame, start: dt.date, on: dt.date
) -> KeyResultProgress:
    """A key result's progress and status on day ``on`` from the metric's values in force."""
    found = newest_in_window(history, d.cadence, start, spec.due, on)
    if found is None:
        elapsed = elapsed_share(start, spec.due, on)
        return KeyResultProgress(spec, d, None, None, None, elapsed, False, True, NO_DATA)
    period_start, value = found
    period_end = periods.shift(period_start, d.cadence, 1)
    # Past the due date the time is up, whatever period the newest value describes: a key result
    # short of its target then is off track (a late final value can still turn it round).
    elapsed = 1.0 if on > spec.due else elapsed_share(start, spec.due, min(period_end, on))
    raw = share_of_way(value, spec, d)
    reached = is_better(value, spec.target, d)
    newest = history["period_start"].max()
    stale = status.is_stale(newest, d.cadence, min(on, spec.due + dt.timedelta(days=1)))
    guardrail = is_guardrail(spec, d)
    return KeyResultProgress(
        spec,
        d,
        value,
        period_start,
        raw,
        elapsed,
        reached,
        stale,
        status_for(raw, elapsed, reached=reached, guardrail=guardrail),
    )


def worst(statuses: list[str]) -> str:
    """The weakest status among those with data; 'no data' when none has any."""
    known = [s for s in statuses if s in STATUS_ORDER]
    return max(known, key=STATUS_ORDER.__getitem__) if known else NO_DATA


def slipped(before: str, after: str) -> bool:
    """Whether a status got worse (no data either side is not a slip)."""
    return before in STATUS_ORDER and after in STATUS_ORDER and STATUS_ORDER[after] > STATUS_ORDER[before]
