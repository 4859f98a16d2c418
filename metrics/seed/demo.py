"""Deterministic demo data: two years of believable values for every seed metric.

The same seed and end date always give the same numbers (random.Random with a
string seed is stable across runs and machines). Each series has a trend, a
yearly cycle and noise; an outage 20 weeks before the end dips uptime and
conversion in the same week, and a campaign 30 weeks before the end lifts
awareness and consideration for four weeks.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from metrics import config, periods
from metrics.catalog.definitions import MetricDefinition

DEMO_PROFILES = config.DATA_DIR / "demo_profiles.yaml"
DEMO_SEED = 42
YEARS = 2
SEASON_PEAK_DAY = 335  # early December: retail's busiest weeks
OUTAGE_WEEKS_BEFORE_END = 20
CAMPAIGN_WEEKS_BEFORE_END = 30
CAMPAIGN_WEEKS = 4

# When each demo value was recorded: shortly after its period ended, as a team's report would
# arrive. A week's value on the Tuesday after it (Monday to pull the numbers together), a
# month's on the 4th of the next month, a quarter's a week into the next one (the 8th), all
# at 09:00 UTC. Never after the moment the demo is seeded: a period that ended so recently
# that its reporting day is still ahead is recorded at that moment instead.
REPORTING_DELAY = {
    "weekly": dt.timedelta(days=1),
    "monthly": dt.timedelta(days=3),
    "quarterly": dt.timedelta(days=7),
}
REPORTING_TIME = dt.time(9)


@dataclass(frozen=True)
class DemoMoments:
    """The dated events the demo series are shaped around."""

    outage_week: dt.date
    campaign_weeks: tuple[dt.date, ...]


def moments(end: dt.date) -> DemoMoments:
    last_week = periods.last_complete(end, "weekly")
    campaign_start = periods.shift(last_week, "weekly", -CAMPAIGN_WEEKS_BEFORE_END)
    return DemoMoments(
        outage_week=periods.shift(last_week, "weekly", -OUTAGE_WEEKS_BEFORE_END),
        campaign_weeks=tuple(periods.shift(campaign_start, "weekly", i) for i in range(CAMPAIGN_WEEKS)),
    )


def load_profiles(path: Path = DEMO_PROFILES) -> dict[str, dict[str, Any]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(k): dict(v or {}) for k, v in (raw.get("profiles") or {}).items()}


def _overlap(start: dt.date, cadence: str, weeks: Iterable[dt.date]) -> float:
    """Share of the period starting at ``start`` covered by the given weeks (0..1)."""
    end = periods.shift(start, cadence, 1)
    days = (end - start).days
    covered = sum(7 for w in weeks if start <= w < end)
    return min(covered / days, 1.0)


def _clamp(value: float, d: MetricDefinition) -> float:
    low, high, whole = d.bounds()
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return float(round(value)) if whole else round(value, 4)


def series(
    d: MetricDefinition, profile: Mapping[str, Any], end: dt.date, seed: int = DEMO_SEED
) -> list[tuple[dt.date, float, str | None]]:
    """(period_start, value, note) for one metric, oldest first."""
    rng = random.Random(f"{seed}:{d.id}")  # noqa: S311 - demo data, not secrets
    last = periods.last_complete(end, d.cadence)
    first = periods.shift(last, d.cadence, -YEARS * periods.periods_per_year(d.cadence) + 1)
    when = moments(end)
    base = float(profile.get("base", d.target))
    rows = []
    for start in periods.span(first, last, d.cadence):
        years = (start - first).days / 365.25
        season = math.cos(2 * math.pi * (start.timetuple().tm_yday - SEASON_PEAK_DAY) / 365.25)
        value = base * (1 + float(profile.get("trend", 0)) * years)
        value *= 1 + float(profile.get("seasonality", 0)) * season
        value *= 1 + rng.gauss(0, float(profile.get("noise", 0)))
        outage = _overlap(start, d.cadence, [when.outage_week])
        campaign = _overlap(start, d.cadence, when.campaign_weeks)
        value *= 1 + float(profile.get("outage", 0)) * outage
        value *= 1 + float(profile.get("campaign", 0)) * campaign
        value += float(profile.get("outage_points", 0)) * outage
        note = None
        if outage and (profile.get("outage") or profile.get("outage_points")):
            note = "Checkout outage: payment API failed for 9 hours"
        elif campaign and profile.get("campaign"):
            note = "Spring brand campaign running"
        rows.append((start, _clamp(value, d), note))
    return rows


def _segment_rows(
    d: MetricDefinition, segments: list[str], rows: list[tuple[dt.date, float, str | None]], seed: int
) -> list[dict[str, Any]]:
    """Split a total across segments: counts add up, rates vary around the total."""
    rng = random.Random(f"{seed}:{d.id}:segments")  # noqa: S311 - demo data, not secrets
    weights = [1.0 / (i + 1.3) for i in range(len(segments))]
    shares = [w / sum(weights) for w in weights]
    out = []
    for start, total, _ in rows:
        for segment, share in zip(segments, shares, strict=True):
            if d.unit == "count":
                value = total * share * (1 + rng.gauss(0, 0.02))
            else:
                value = total * (1 + rng.gauss(0, 0.04) + (0.05 if segment == segments[0] else -0.05))
            out.append(
                {
                    "metric_id": d.id,
                    "period_start": start,
                    "segment": segment,
                    "value": _clamp(value, d),
                    "note": None,
                }
            )
    return out


def generate(
    definitions: Iterable[MetricDefinition],
    profiles: Mapping[str, Mapping[str, Any]],
    end: dt.date,
    seed: int = DEMO_SEED,
) -> pd.DataFrame:
    """Every demo observation as a frame in the metric CSV's columns."""
    records: list[dict[str, Any]] = []
    for d in definitions:
        profile = profiles.get(d.id, {})
        rows = series(d, profile, end, seed)
        records.extend(
            {"metric_id": d.id, "period_start": start, "segment": "", "value": value, "note": note}
            for start, value, note in rows
        )
        segments = [str(s) for s in profile.get("segments") or []]
        if segments:
            records.extend(_segment_rows(d, segments, rows, seed))
    frame = pd.DataFrame.from_records(
        records, columns=["metric_id", "period_start", "segment", "value", "note"]
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


def recorded_at(start: dt.date, cadence: str, seeded_at: dt.datetime) -> dt.datetime:
    """When the demo value for the period starting at ``start`` was recorded (see REPORTING_DELAY)."""
    first_day_after = periods.shift(start, cadence, 1)
    reported = dt.datetime.combine(first_day_after + REPORTING_DELAY[cadence], REPORTING_TIME)
    return min(reported, seeded_at)


def recorded_times(
    frame: pd.DataFrame, definitions: Iterable[MetricDefinition], seeded_at: dt.datetime
) -> list[dt.datetime]:
    """The moment each row of ``generate``'s frame was recorded, in the frame's order."""
    cadences = {d.id: d.cadence for d in definitions}
    return [
        recorded_at(start, cadences[metric_id], seeded_at)
        for metric_id, start in zip(frame["metric_id"], frame["period_start"], strict=True)
    ]


def timeline(
    end: dt.date, profiles: Mapping[str, Mapping[str, Any]]
) -> list[tuple[dt.date, str, str, tuple[str, ...]]]:
    """The demo's shared timeline (day, kind, title, metric ids): the outage and the
    campaign the series are shaped around, tied to the metrics they move, plus releases."""
    when = moments(end)
    hit_by_outage = tuple(m for m, p in profiles.items() if p.get("outage") or p.get("outage_points"))
    moved_by_campaign = tuple(m for m, p in profiles.items() if p.get("campaign"))
    delivery = ("deployment_frequency", "lead_time_days", "checkout_p95_latency")
    last_week = periods.last_complete(end, "weekly")
    releases = [
        (periods.shift(last_week, "weekly", -weeks) + dt.timedelta(days=1), title)
        for weeks, title in (
            (44, "Release: new product search"),
            (24, "Release: one-page checkout"),
            (12, "Release: loyalty app 2.0"),
            (3, "Release: faster image delivery"),
        )
    ]
    return [
        (when.campaign_weeks[0], "campaign", "Spring brand campaign starts (4 weeks)", moved_by_campaign),
        (
            when.outage_week + dt.timedelta(days=2),
            "incident",
            "Checkout outage: payment API down 9 hours",
            hit_by_outage,
        ),
        *((day, "release", title, delivery) for day, title in releases),
    ]
