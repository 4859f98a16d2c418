import dataclasses
import datetime as dt
import math

import pytest

from metrics.board import status
from metrics.catalog import definitions as catalog

SEED = {m.id: m for m in catalog.load_seed().metrics}
HIGHER = dataclasses.replace(SEED["conversion_rate"], target=3.0, amber=2.8, red=2.5)
LOWER = dataclasses.replace(SEED["checkout_p95_latency"], target=800.0, amber=900.0, red=1200.0)


@pytest.mark.parametrize(
    ("definition", "value", "expected"),
    [
        (HIGHER, 3.5, status.GREEN),
        (HIGHER, 2.8, status.GREEN),
        (HIGHER, 2.79, status.AMBER),
        (HIGHER, 2.5, status.AMBER),
        (HIGHER, 2.49, status.RED),
        (HIGHER, None, status.NO_DATA),
        (HIGHER, math.nan, status.NO_DATA),
        (LOWER, 700.0, status.GREEN),
        (LOWER, 900.0, status.GREEN),
        (LOWER, 901.0, status.AMBER),
        (LOWER, 1200.0, status.AMBER),
        (LOWER, 1201.0, status.RED),
    ],
)
def test_rag_is_direction_aware(
    definition: catalog.MetricDefinition, value: float | None, expected: str
) -> None:
    assert status.rag(value, definition) == expected


def test_improvement_follows_direction() -> None:
    assert status.improved(0.2, HIGHER) is True
    assert status.improved(-0.2, HIGHER) is False
    assert status.improved(-50, LOWER) is True
    assert status.improved(0, LOWER) is None


@pytest.mark.parametrize(
    ("latest", "cadence", "stale"),
    [
        (dt.date(2026, 11, 16), "weekly", False),
        (dt.date(2026, 11, 9), "weekly", False),
        (dt.date(2026, 11, 2), "weekly", True),
        (dt.date(2026, 10, 1), "monthly", False),
        (dt.date(2026, 8, 1), "monthly", True),
        (dt.date(2026, 4, 1), "quarterly", False),
        (dt.date(2026, 1, 1), "quarterly", True),
        (None, "weekly", True),
    ],
)
def test_staleness_allows_one_period_of_lag(latest: dt.date | None, cadence: str, stale: bool) -> None:
    assert status.is_stale(latest, cadence, dt.date(2026, 11, 23)) is stale


def test_formatting_speaks_each_unit() -> None:
    uptime = SEED["site_uptime"]
    assert status.format_value(99.953, uptime) == "99.95%"
    assert status.format_change(-0.12, uptime) == "-0.12 pp"
    assert status.format_value(182340.0, SEED["sessions"]) == "182,340"
    assert status.format_change(1200.0, SEED["sessions"]) == "+1,200"
    assert status.format_value(41.2, SEED["cost_per_lead"]) == "$41.20"
    assert status.format_change(-3.5, SEED["cost_per_lead"]) == "-$3.50"
    assert status.format_value(None, uptime) == "—"
    assert status.format_value(412.0, SEED["checkout_p95_latency"]).endswith("ms")


@pytest.mark.parametrize(
    ("metric_id", "tiny", "value", "change"),
    [
        ("conversion_rate", -0.001, "0.00%", "+0.00 pp"),  # percent
        ("cost_per_lead", -0.001, "$0.00", "+$0.00"),  # currency
        ("checkout_p95_latency", -0.0004, "0.00 ms", "+0.00 ms"),  # a unit of its own
    ],
)
def test_a_change_that_rounds_to_nothing_is_never_a_negative_zero(
    metric_id: str, tiny: float, value: str, change: str
) -> None:
    d = SEED[metric_id]
    assert status.format_value(tiny, d) == value
    assert status.format_change(tiny, d) == change


@pytest.mark.parametrize(
    ("definition", "value", "word"),
    [
        (HIGHER, 3.5, status.ON_TARGET),
        (HIGHER, 3.0, status.ON_TARGET),
        (HIGHER, 2.99, status.NEAR_TARGET),  # green, but short of the target: never "on target"
        (HIGHER, 2.8, status.NEAR_TARGET),
        (HIGHER, 2.79, status.TO_WATCH),
        (HIGHER, 2.49, status.OFF_TARGET),
        (HIGHER, None, status.NO_DATA),
        (LOWER, 800.0, status.ON_TARGET),
        (LOWER, 850.0, status.NEAR_TARGET),
        (LOWER, 901.0, status.TO_WATCH),
        (LOWER, 1201.0, status.OFF_TARGET),
    ],
)
def test_on_target_only_when_the_value_meets_the_target(
    definition: catalog.MetricDefinition, value: float | None, word: str
) -> None:
    assert status.word(value, definition) == word
    assert status.WORD_RAG[word] == status.rag(value, definition)  # the word and the colour agree


UPTIME = SEED["site_uptime"]


def test_a_boundary_is_compared_as_the_value_is_shown() -> None:
    """November's four weekly uptimes average 99.9 on paper; in floating point the mean is
    99.89999999999999, which is shown as 99.90% and must read as exactly on the line."""
    mean = (99.8 + 99.85 + 99.95 + 100.0) / 4
    assert mean < 99.9  # the trap itself
    assert (UPTIME.target, UPTIME.amber) == (99.9, 99.9)
    assert status.format_value(mean, UPTIME) == "99.90%"
    assert status.rag(mean, UPTIME) == status.GREEN
    assert status.word(mean, UPTIME) == status.ON_TARGET
    assert status.rag(99.894, UPTIME) == status.AMBER  # shown as 99.89%: below the line


# A 30-day month at a 99.9% SLO allows 43.2 minutes of downtime.
@pytest.mark.parametrize(
    ("used_minutes", "shown", "rag"),
    [
        (0.0, "100% left", status.GREEN),
        (32.4, "25% left", status.GREEN),  # 25.0% left: the green line itself
        (32.58, "25% left", status.GREEN),  # 24.58% left shows as 25%
        (32.62, "24% left", status.AMBER),  # 24.49% left
        (43.2, "0% left", status.AMBER),  # exactly spent: still amber
        (43.35, "0% left", status.AMBER),  # -0.35% shows as 0%, never "-0%"
        (43.5, "-1% left", status.RED),  # -0.69%: overspent
    ],
)
def test_the_error_budget_lines_sit_at_25_and_0_percent_left(
    used_minutes: float, shown: str, rag: str
) -> None:
    budget = status.ErrorBudget(slo=99.9, period_days=30, covered_days=30, used_minutes=used_minutes)
    assert budget.allowed_minutes == pytest.approx(43.2)
    assert status.format_percent_left(budget.left_percent) == shown
    assert budget.rag == rag


def test_the_headline_counts_every_word() -> None:
    counts = {status.ON_TARGET: 9, status.NEAR_TARGET: 5, status.TO_WATCH: 6, status.OFF_TARGET: 4}
    assert status.count_line(counts) == "9 on target · 5 near target · 6 to watch · 4 off target"
    assert status.count_line({status.ON_TARGET: 2, status.NO_DATA: 1}) == (
        "2 on target · 0 to watch · 0 off target · 1 no data"
    )


def test_allowed_downtime_is_the_whole_periods_even_when_days_are_missing() -> None:
    """A month with 7 of 30 days reported still allows 43.2 minutes: the budget is not scaled
    down to the days reported (that would make a gap in the data look like an outage)."""
    week = [(dt.date(2026, 11, 2), 99.95)]
    budget = status.error_budget(week, "weekly", 99.9, dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    assert (budget.period_days, budget.covered_days) == (30, 7)
    assert budget.allowed_minutes == pytest.approx(43.2)
    assert budget.used_minutes == pytest.approx(0.05 / 100 * 7 * 24 * 60)  # 5.04 minutes
    assert budget.left_percent == pytest.approx(100 * (1 - 5.04 / 43.2))
    assert "(7 of 30 days reported)" in budget.describe()
