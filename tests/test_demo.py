"""The demo generator: deterministic, believable, shaped around its outage and campaign, and
arriving over time (each value recorded shortly after its period ended)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from metrics import clock, periods, store
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.seed import demo
from metrics.seed import first_start as seed
from metrics.uploads import observations

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
    during = sessions[sessions.index.isin(list(weeks))].mean()
    earlier = [periods.shift(weeks[0], "weekly", -k) for k in range(1, 5)]
    before = sessions[sessions.index.isin(earlier)].mean()
    assert during > before * 1.15


def test_latest_values_mix_green_amber_and_red() -> None:
    from metrics.board import status

    frame = _frame()
    totals = frame[frame["segment"] == ""]
    latest = totals.sort_values("period_start").groupby("metric_id")["value"].last()
    statuses = [status.rag(latest[d.id], d) for d in SEED.metrics]
    assert statuses.count(status.GREEN) >= len(statuses) // 2
    assert status.AMBER in statuses and status.RED in statuses


def test_a_demo_value_is_recorded_shortly_after_its_period_ends() -> None:
    seeded = dt.datetime(2026, 11, 23, 15, 0)  # a Monday afternoon
    assert demo.recorded_at(dt.date(2026, 11, 9), "weekly", seeded) == dt.datetime(2026, 11, 17, 9)
    assert demo.recorded_at(dt.date(2026, 10, 1), "monthly", seeded) == dt.datetime(2026, 11, 4, 9)
    assert demo.recorded_at(dt.date(2026, 7, 1), "quarterly", seeded) == dt.datetime(2026, 10, 8, 9)
    # the week that ended yesterday is due tomorrow: never in the future, so at the seeding moment
    assert demo.recorded_at(dt.date(2026, 11, 16), "weekly", seeded) == seeded


AS_OF = END - dt.timedelta(weeks=8)  # Monday 28 Sep 2026
#: the newest period of each cadence known at the end of AS_OF: the week of 21 Sep ended the
#: day before and arrives on Tuesday 29 Sep, September on 4 Oct, Q3 on 8 Oct
KNOWN_ON_AS_OF = {
    "weekly": dt.date(2026, 9, 14),
    "monthly": dt.date(2026, 8, 1),
    "quarterly": dt.date(2026, 4, 1),
}


def test_the_demo_board_as_of_eight_weeks_ago_shows_what_was_known_then(con: store.Connection) -> None:
    then_board = board.view(con, END, as_of=AS_OF)  # the board of that day, on its default week
    now = observations.values_in_force(con).set_index(["metric_id", "period_start"])["value"]
    assert then_board.period.start == KNOWN_ON_AS_OF["weekly"]  # the newest week whose values were in
    assert len(then_board.tiles) == len(SEED.metrics)
    for tile in then_board.tiles:
        d = tile.definition
        newest = KNOWN_ON_AS_OF[d.cadence]
        assert tile.latest_period == newest, d.id
        assert tile.history["period_start"].max() == newest, d.id
        assert tile.latest == pytest.approx(now[(d.id, newest)]), d.id
    assert not any(t.stale for t in then_board.tiles)  # on its own day, nothing was overdue
    assert then_board.reported_line == f"all {len(SEED.metrics)} reported"


def test_the_week_that_just_ended_waits_for_its_weekly_values(con: store.Connection) -> None:
    ended = board.view(con, END, board.latest_period(AS_OF), as_of=AS_OF)  # 21-27 Sep, on Mon 28 Sep
    weekly = {d.id for d in SEED.metrics if d.cadence == "weekly"}
    assert {t.definition.id for t in ended.missing} == weekly
    assert all(t.latest is None and t.period_label == "not reported yet" for t in ended.missing)


def test_a_week_appears_on_the_tuesday_after_it(con: store.Connection) -> None:
    week = board.latest_period(AS_OF)
    monday = board.view(con, END, week, as_of=AS_OF).tile("sessions")
    tuesday = board.view(con, END, week, as_of=AS_OF + dt.timedelta(days=1)).tile("sessions")
    assert monday is not None and monday.latest is None and monday.period_label == "not reported yet"
    assert tuesday is not None and tuesday.latest_period == week.start and tuesday.basis == week


@pytest.mark.parametrize(
    "wall_clock",
    [
        dt.datetime(2026, 11, 23, 8, 30),  # Monday morning: last week's values are due tomorrow
        dt.datetime(2026, 11, 25, 12, 0),  # a wall clock ahead of SCORECARD_TODAY: the demo keeps to its day
    ],
)
def test_no_demo_value_is_recorded_after_the_seeding_moment(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, wall_clock: dt.datetime
) -> None:
    monkeypatch.setattr(clock, "wall", lambda: wall_clock)
    seed.initialise(db_path, demo_data=True)  # today is END (conftest)
    seeded = dt.datetime.combine(END, wall_clock.time())
    with store.connect(db_path) as con:
        rows = con.execute("SELECT metric_id, period_start, recorded_at FROM observations").df()
        uploads = con.execute("SELECT count(*), max(uploaded_at) FROM uploads").fetchone()
    assert uploads == (1, seeded)  # still one upload, stamped when it was made, on the configured day
    assert rows["recorded_at"].max() == seeded
    latest = rows[rows["recorded_at"] == seeded]
    assert set(latest["period_start"].dt.date) == {periods.last_complete(END, "weekly")}
    assert rows["recorded_at"].nunique() > 100  # the values arrived over two years, not all at once
