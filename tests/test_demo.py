"""The demo generator: deterministic, believable, and shaped around its outage and campaign."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from metrics import catalog, demo, periods

END = dt.date(2026, 11, 23)
SEED = catalog.load_seed()
PROFILES = demo.load_profiles()


def _frame() -> pd.DataFrame:
    return demo.generate(SEED.metrics, PROFILES, END)


def test_same_seed_and_end_give_the_same_numbers() -> None:
    pd.testing.assert_frame_equal(_frame(), _frame())
    other = demo.generate(SEED.metrics, PROFILES, END, seed=7)
    assert not other["value"].equals(_frame()["value"])


def test_every_metric_has_two_years_of_values_within_bounds() -> None:
    frame = _frame()
    assert set(PROFILES) == {m.id for m in SEED.metrics}
    totals = frame[frame["segment"] == ""]
    for d in SEED.metrics:
        values = totals[totals["metric_id"] == d.id]
        assert len(values) == 2 * periods.periods_per_year(d.cadence), d.id
        assert all(periods.is_period_start(p, d.cadence) for p in values["period_start"]), d.id
        assert values["period_start"].max() == periods.last_complete(END, d.cadence)
        low, high, whole = d.bounds()
        assert low is None or values["value"].min() >= low, d.id
        assert high is None or values["value"].max() <= high, d.id
        if whole:
            assert (values["value"] % 1 == 0).all(), d.id


def _weekly(frame: pd.DataFrame, metric_id: str) -> pd.Series:
    rows = frame[(frame["metric_id"] == metric_id) & (frame["segment"] == "")]
    return rows.set_index("period_start")["value"]


def test_outage_dips_uptime_and_conversion_in_the_same_week() -> None:
    frame = _frame()
    outage = demo.moments(END).outage_week
    for metric_id in ("site_uptime", "conversion_rate"):
        series = _weekly(frame, metric_id)
        assert series.idxmin() == outage, metric_id
    assert (
        frame[(frame["period_start"] == outage) & (frame["metric_id"] == "site_uptime")]["note"].notna().all()
    )


def test_campaign_lifts_awareness() -> None:
    frame = _frame()
    sessions = _weekly(frame, "sessions")
    weeks = demo.moments(END).campaign_weeks
    during = sessions.loc[list(weeks)].mean()
    before = sessions.loc[[periods.shift(weeks[0], "weekly", -k) for k in range(1, 5)]].mean()
    assert during > before * 1.15


def test_latest_values_mix_green_amber_and_red() -> None:
    from metrics import status

    frame = _frame()
    totals = frame[frame["segment"] == ""]
    latest = totals.sort_values("period_start").groupby("metric_id")["value"].last()
    statuses = [status.rag(latest[d.id], d) for d in SEED.metrics]
    assert statuses.count(status.GREEN) >= len(statuses) // 2
    assert status.AMBER in statuses and status.RED in statuses
