"""The board's numbers: periods, aggregation, comparisons, error budget, as-of, empty data."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from metrics import access, store
from metrics.board import status
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.errors import InputRejected
from metrics.uploads import observations
from tests.conftest import TODAY
from tests.known import W47_COUNTS, W47_LEAD_SIGNUPS, W47_SESSIONS, W47_SHOWN
from tests.values import add_values

SEED = {m.id: m for m in catalog.load_seed().metrics}


def test_latest_week_shows_the_known_demo_values(con: store.Connection) -> None:
    view = board.view(con, TODAY)
    assert view.period == board.BoardPeriod("weekly", dt.date(2026, 11, 16))
    shown = {t.definition.id: status.format_value(t.latest, t.definition) for t in view.tiles}
    by_name = {t.definition.name: shown[t.definition.id] for t in view.tiles}
    assert {name: by_name[name] for name in W47_SHOWN} == W47_SHOWN
    assert view.counts == W47_COUNTS
    assert len(view.tiles) == 24


def test_a_quarter_averages_weekly_values_and_compares_with_the_quarter_before(con: store.Connection) -> None:
    values = observations.values_in_force(con, ["sessions"])
    q3 = values[
        (values["period_start"] >= dt.date(2026, 7, 1)) & (values["period_start"] < dt.date(2026, 10, 1))
    ]
    q2 = values[
        (values["period_start"] >= dt.date(2026, 4, 1)) & (values["period_start"] < dt.date(2026, 7, 1))
    ]
    view = board.view(con, TODAY, board.parse_period("2026-Q3"))
    sessions = view.tile("sessions")
    assert sessions is not None
    assert sessions.count == len(q3) == 13
    assert sessions.latest == pytest.approx(q3["value"].mean())
    assert sessions.previous == pytest.approx(q2["value"].mean())
    assert "average of 13 weeks" in sessions.period_label
    assert sessions.history["period_start"].max() < dt.date(2026, 10, 1)


def test_a_monthly_metric_on_the_weekly_board_shows_its_last_complete_month(con: store.Connection) -> None:
    tile = board.view(con, TODAY).tile("cost_per_lead")
    assert tile is not None and tile.latest_period == dt.date(2026, 10, 1)
    values = observations.values_in_force(con, ["cost_per_lead"]).set_index("period_start")["value"]
    assert tile.previous == pytest.approx(values[dt.date(2026, 9, 1)])
    assert tile.year_ago == pytest.approx(values[dt.date(2025, 10, 1)])
    assert tile.period_label == "Oct 2026"


def test_as_of_a_past_day_ignores_later_restatements(con: store.Connection) -> None:
    con.execute("UPDATE observations SET recorded_at = TIMESTAMP '2026-11-20 09:00:00'")
    add_values(con, [("sessions", dt.date(2026, 11, 16), 111_111.0)])
    w47 = board.BoardPeriod("weekly", dt.date(2026, 11, 16))
    now = board.view(con, TODAY, w47).tile("sessions")
    before = board.view(con, TODAY, w47, as_of=dt.date(2026, 11, 22)).tile("sessions")
    too_early = board.view(con, TODAY, w47, as_of=dt.date(2026, 11, 19)).tile("sessions")
    assert now is not None and now.latest == 111_111.0
    assert before is not None and before.latest == W47_SESSIONS
    assert too_early is not None and too_early.rag == status.NO_DATA


@pytest.mark.parametrize(
    ("values", "left", "rag"),
    [
        ([99.95], 50.0, status.GREEN),
        ([99.92], 20.0, status.AMBER),
        ([99.9], 0.0, status.AMBER),
        ([99.7], -200.0, status.RED),
    ],
)
def test_error_budget_reads_on_the_same_scale(values: list[float], left: float, rag: str) -> None:
    week = dt.date(2026, 11, 16)
    budget = status.error_budget(
        [(week, v) for v in values], "weekly", 99.9, week, week + dt.timedelta(days=7)
    )
    assert budget.allowed_minutes == pytest.approx(10.08)
    assert budget.left_percent == pytest.approx(left)
    assert budget.rag == rag


def test_error_budget_counts_only_the_days_inside_the_period() -> None:
    # A week from Mon 29 Jun: 2 days in June, 5 in July. Only July's days spend Q3's budget.
    budget = status.error_budget(
        [(dt.date(2026, 6, 29), 99.0)], "weekly", 99.9, dt.date(2026, 7, 1), dt.date(2026, 10, 1)
    )
    assert budget.covered_days == 5
    assert budget.used_minutes == pytest.approx(0.01 * 5 * 1440)
    assert not budget.complete
    assert (
        status.error_budget([], "weekly", 99.9, dt.date(2026, 7, 1), dt.date(2026, 10, 1)).rag
        == status.NO_DATA
    )


def test_the_demo_outage_spends_most_of_q3_budget(con: store.Connection) -> None:
    view = board.view(con, TODAY, board.parse_period("2026-Q3"))
    assert view.budget is not None and view.budget.left_percent is not None
    assert view.budget.left_percent < 25 and view.budget.rag == status.AMBER
    assert any(e.kind == "incident" and e.concerns("conversion_rate") for e in view.timeline)


def test_no_values_one_value_and_a_gap_are_plain(db_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from metrics.seed import first_start as seed

    seed.initialise(db_path, demo_data=False, demo_people=True)
    with store.connect(db_path) as con:
        add_values(con, [("sessions", dt.date(2026, 11, 16), 250_000.0), ("nps", dt.date(2026, 1, 1), 41.0)])
        view = board.view(con, TODAY)
    empty = view.tile("conversion_rate")
    one = view.tile("sessions")
    gap = view.tile("nps")
    assert empty is not None and empty.rag == status.NO_DATA and empty.period_label == "no data yet"
    assert one is not None and one.latest == 250_000.0 and one.previous is None and one.year_ago is None
    assert "no value the period before" in board.tile_notes(one)
    assert gap is not None and gap.latest == 41.0 and gap.stale
    assert any("stale" in n for n in board.tile_notes(gap))
    assert view.budget is not None and view.budget.left_percent is None


def test_change_pending_shows_on_the_tile(con: store.Connection) -> None:
    changed = dataclasses.replace(SEED["sessions"], target=260_000.0)
    catalog.add_version(con, changed, proposed_by="priya.cio@example.com")
    tile = board.view(con, TODAY).tile("sessions")
    assert tile is not None and tile.change_pending
    assert "✎ change pending" in board.tile_notes(tile)


def test_the_funnel_states_what_each_rate_is_a_share_of(con: store.Connection) -> None:
    view = board.view(con, TODAY)
    steps = board.funnel(view)
    assert [s.area for s in steps] == list(catalog.JOURNEY_AREAS)
    sessions, leads, orders, _repeat = steps
    assert sessions.volume == W47_SESSIONS
    assert leads.rate == pytest.approx(100 * W47_LEAD_SIGNUPS / W47_SESSIONS)
    conversion = view.tile("conversion_rate")
    assert conversion is not None and orders.volume == pytest.approx(W47_SESSIONS * conversion.latest / 100)  # type: ignore[operator]
    assert f"{W47_SHOWN['Website sessions']} website sessions" in board.funnel_text(steps)


def test_the_funnel_marks_estimates_and_never_multiplies_a_months_rate_by_a_weeks_count(
    con: store.Connection,
) -> None:
    view = board.view(con, TODAY)
    _sessions, _leads, orders, loyalty = board.funnel(view)
    assert orders.estimated and loyalty.volume is None  # loyalty is a monthly rate, told as a rate
    text = board.funnel_text(board.funnel(view))
    assert "of sessions place an order (≈" in text and "estimated)" in text
    assert text.endswith("% of buyers order again (Oct 2026)")  # the rate names its own month
    # a conversion rate of another week is not multiplied by this week's sessions
    con.execute(
        "DELETE FROM observations WHERE metric_id = 'conversion_rate' AND period_start >= ?",
        [view.period.start],
    )
    _s, _l, orders_without, _loy = board.funnel(board.view(con, TODAY, view.period))
    assert orders_without.volume is None


@pytest.mark.parametrize(
    ("text", "cadence", "start"),
    [
        ("2026-Q3", "quarterly", dt.date(2026, 7, 1)),
        ("2026-q1", "quarterly", dt.date(2026, 1, 1)),
        ("2026-11", "monthly", dt.date(2026, 11, 1)),
        ("Nov 2026", "monthly", dt.date(2026, 11, 1)),
        ("2026-W47", "weekly", dt.date(2026, 11, 16)),
    ],
)
def test_periods_are_written_as_people_write_them(text: str, cadence: str, start: dt.date) -> None:
    period = board.parse_period(text)
    assert (period.cadence, period.start) == (cadence, start)
    assert board.parse_period(period.label) == period


@pytest.mark.parametrize("text", ["2026-Q5", "Q3", "2026-13", "last quarter"])
def test_a_wrong_period_is_refused_plainly(text: str) -> None:
    with pytest.raises(InputRejected, match="2026-Q3"):
        board.parse_period(text)


def test_board_people_may_read_but_the_view_needs_no_person(con: store.Connection) -> None:
    bea = access.require_person(con, "bea.board@example.com")
    assert access.can(bea, "view") and not access.can(bea, "freeze_pack")


def test_an_average_of_counts_keeps_its_fraction() -> None:
    incidents = SEED["security_incidents"]
    assert status.format_value(0.6667, incidents) == "0.7"
    assert status.format_change(-0.3333, incidents) == "-0.3"
    assert status.format_value(2.0, incidents) == "2"
    assert status.format_value(208_060.69, SEED["sessions"]) == "208,061"


def test_the_boards_trends_carry_the_events_that_concern_each_metric(con: store.Connection) -> None:
    from metrics.board import cards

    view = board.view(con, TODAY)
    trends = {t.definition.name: cards.trend(t, view.timeline) for t in view.area("awareness")}
    sessions = trends["Website sessions"]
    organic = trends["Organic search share"]
    assert sessions is not None and organic is not None
    sessions_events = [what for _, _, what in sessions.chart.events]
    assert any("Checkout outage" in what for what in sessions_events)
    assert any(colour == cards.EVENT_HEX["campaign"] for _, colour, _ in sessions.chart.events)
    assert not any("outage" in what for _, _, what in organic.chart.events)  # the outage did not move it
