"""Wins: a key result reaching its target, a metric back on target after red; credited to both teams."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from metrics import access, store
from metrics.catalog import definitions as catalog
from metrics.errors import PermissionDenied
from metrics.okrs import objectives as okrs
from metrics.okrs import progress, wins
from tests.conftest import TODAY
from tests.test_okrs import DUE, Q4
from tests.values import add_values

SEED = {d.id: d for d in catalog.load_seed().metrics}
CONVERSION = SEED["conversion_rate"]  # higher is better: on target >= 3.2, green >= 3.0, red < 2.6
CHURN = SEED["churn_rate"]  # lower is better: on target <= 2.0, green <= 2.5, red > 3.5


def _points(*values: float) -> list[tuple[dt.date, float]]:
    return [(dt.date(2026, 1, 5) + dt.timedelta(weeks=i), v) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("values", "expected_weeks"),
    [
        ((3.2, 2.5, 2.8, 3.3), [3]),  # off target, then to watch, then on target: back on target
        ((3.2, 2.8, 3.3), []),  # only amber in between: not a comeback from red
        ((2.5, 3.3, 2.4, 3.3), [1, 3]),
        ((2.5, 3.1, 3.3), [2]),  # near target (green, short of 3.2) is not yet back on target
        ((2.5, 2.4), []),
    ],
)
def test_back_to_green_needs_red_since_the_last_green(
    values: tuple[float, ...], expected_weeks: list[int]
) -> None:
    points = _points(*values)
    assert wins.back_to_green(points, CONVERSION) == [points[i][0] for i in expected_weeks]


def test_back_to_green_follows_the_direction() -> None:
    points = _points(2.0, 3.8, 1.9)  # churn: on target, off target, on target
    assert wins.back_to_green(points, CHURN) == [points[2][0]]


def test_first_reached_counts_only_the_objectives_window() -> None:
    spec = progress.KeyResultSpec("churn_rate", 3.0, 2.5, dt.date(2026, 11, 30))
    points = [(dt.date(2026, 9, 1), 2.0), (Q4, 2.7), (dt.date(2026, 11, 1), 2.5), (dt.date(2026, 12, 1), 1.9)]
    assert wins.first_reached(points, spec, CHURN, Q4) == dt.date(2026, 11, 1)
    assert wins.first_reached(points[:2], spec, CHURN, Q4) is None


def _objective(con: store.Connection, *, accept: bool) -> okrs.Objective:
    draft = okrs.ObjectiveDraft(
        "Turn more visits into orders",
        "2026-Q4",
        "priya.cio@example.com",
        "marco.cmo@example.com",
        (
            progress.KeyResultSpec("conversion_rate", 3.4, 4.2, DUE),
            progress.KeyResultSpec("site_uptime", 99.9, 99.9, DUE),  # a guardrail is never a win
        ),
    )
    saved = okrs.save(con, access.require_person(con, "dana.it@example.com"), draft, today=TODAY)
    if accept:
        for email in ("priya.cio@example.com", "marco.cmo@example.com"):
            okrs.accept(con, access.require_person(con, email), saved.objective_id)
    return okrs.get(con, saved.objective_id)


def _key_result_wins(con: store.Connection, objective_id: int) -> list[wins.Win]:
    return [w for w in wins.detect(con, TODAY) if w.objective_id == objective_id]


def test_a_key_result_reaching_its_target_is_a_win_for_both_teams(con: store.Connection) -> None:
    objective = _objective(con, accept=True)
    assert _key_result_wins(con, objective.objective_id) == []  # the demo never reaches 4.2
    add_values(con, [("conversion_rate", dt.date(2026, 11, 9), 4.3)])
    (win,) = _key_result_wins(con, objective.objective_id)
    assert win.kind == wins.KEY_RESULT and win.period_start == dt.date(2026, 11, 9)
    assert win.last_day == dt.date(2026, 11, 15)
    assert win.teams == ("IT operations", "Marketing analytics")
    assert win.people == ("priya.cio@example.com", "marco.cmo@example.com")
    assert "Conversion rate reached its target of 4.20%" in win.headline


def test_no_win_before_both_owners_accept(con: store.Connection) -> None:
    objective = _objective(con, accept=False)
    add_values(con, [("conversion_rate", dt.date(2026, 11, 9), 4.3)])
    assert _key_result_wins(con, objective.objective_id) == []


def test_a_metric_back_on_target_is_credited_to_its_owners_teams(con: store.Connection) -> None:
    add_values(con, [("churn_rate", dt.date(2026, 9, 1), 3.9), ("churn_rate", Q4, 1.9)])
    found = [w for w in wins.detect(con, TODAY) if w.metric_id == "churn_rate"]
    back = [w for w in found if w.kind == wins.BACK_TO_GREEN]
    assert [w.period_start for w in back] == [Q4]
    # the same value also reached the demo objective's churn key result (3.14 -> 2.5)
    assert [w.kind for w in found if w.kind != wins.BACK_TO_GREEN] == [wins.KEY_RESULT]
    found = back
    assert found[0].teams == ("IT operations", "Marketing analytics")  # dana (IT ops), sam (marketing)


def test_recorded_wins_stay_celebrated_after_a_restatement(con: store.Connection) -> None:
    objective = _objective(con, accept=True)
    add_values(con, [("conversion_rate", dt.date(2026, 11, 9), 4.3)])
    with pytest.raises(PermissionDenied):
        wins.record_new(con, access.require_person(con, "bea.board@example.com"), TODAY)
    kept = wins.record_new(con, access.require_person(con, "marco.cmo@example.com"), TODAY)
    assert any(w.objective_id == objective.objective_id for w in kept)
    assert wins.record_new(con, access.require_person(con, "marco.cmo@example.com"), TODAY) == []
    add_values(con, [("conversion_rate", dt.date(2026, 11, 9), 3.3)])  # restated: the target was not reached
    assert _key_result_wins(con, objective.objective_id) == []
    feed = wins.feed(con, TODAY, limit=100)
    mine = [w for w in feed if w.objective_id == objective.objective_id]
    assert len(mine) == 1 and mine[0].recorded_at is not None
    assert [w.last_day for w in feed] == sorted((w.last_day for w in feed), reverse=True)


def test_the_demo_feed_has_wins_credited_to_two_teams(con: store.Connection) -> None:
    feed = wins.feed(con, TODAY)
    assert feed and all(len(w.teams) == 2 for w in feed)
    assert len(wins.feed(con, TODAY, limit=2)) == 2


def test_a_week_holds_wins_of_its_periods_and_late_ones_first_kept_in_it() -> None:
    base = wins.Win(
        "k", wins.KEY_RESULT, "m", 1, dt.date(2026, 11, 9), dt.date(2026, 11, 15), "h", ("a", "b"), ()
    )
    late = dataclasses.replace(
        base, key="late", last_day=dt.date(2026, 10, 31), recorded_at=dt.datetime(2026, 11, 18, 9)
    )
    old = dataclasses.replace(
        base, key="old", last_day=dt.date(2026, 3, 31), recorded_at=dt.datetime(2026, 11, 18)
    )
    found = wins.in_week([base, late, old], dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert [w.key for w in found] == ["late"]
    assert [w.key for w in wins.in_week([base], dt.date(2026, 11, 9), dt.date(2026, 11, 15))] == ["k"]


def test_a_reached_key_result_that_slipped_says_so_in_the_feed(con: store.Connection) -> None:
    """Reached in W47, kept as a win; after its due date it is short again and off track: the win
    stays celebrated and reads "since slipped", as the key result reads off track."""
    objective = _objective(con, accept=True)
    add_values(con, [("conversion_rate", dt.date(2026, 11, 16), 4.3)])
    wins.record_new(con, access.require_person(con, "marco.cmo@example.com"), TODAY)
    fresh = [w for w in wins.feed(con, TODAY, limit=100) if w.objective_id == objective.objective_id]
    assert [w.slipped for w in fresh] == [False]
    after_due = dt.date(2027, 1, 5)
    add_values(con, [("conversion_rate", dt.date(2026, 12, 28), 3.1)])
    progress_now = okrs.evaluate(con, after_due)
    kr = next(
        k
        for o in progress_now
        if o.objective.objective_id == objective.objective_id
        for k in o.key_results
        if k.spec.metric_id == "conversion_rate"
    )
    assert kr.status == progress.OFF_TRACK
    mine = [w for w in wins.feed(con, after_due, limit=100) if w.objective_id == objective.objective_id]
    assert len(mine) == 1 and mine[0].slipped and mine[0].text.endswith("(since slipped)")
