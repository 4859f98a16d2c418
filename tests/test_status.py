import dataclasses
import datetime as dt
import math

import pytest

from metrics import catalog, status

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
