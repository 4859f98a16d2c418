import datetime as dt

import pytest

from metrics import periods


@pytest.mark.parametrize(
    ("day", "cadence", "start"),
    [
        (dt.date(2026, 11, 25), "weekly", dt.date(2026, 11, 23)),
        (dt.date(2026, 11, 23), "weekly", dt.date(2026, 11, 23)),
        (dt.date(2026, 11, 25), "monthly", dt.date(2026, 11, 1)),
        (dt.date(2026, 11, 25), "quarterly", dt.date(2026, 10, 1)),
        (dt.date(2026, 3, 31), "quarterly", dt.date(2026, 1, 1)),
    ],
)
def test_period_start(day: dt.date, cadence: str, start: dt.date) -> None:
    assert periods.period_start(day, cadence) == start
    assert periods.is_period_start(start, cadence)


def test_shift_across_year_ends() -> None:
    assert periods.shift(dt.date(2026, 12, 1), "monthly", 1) == dt.date(2027, 1, 1)
    assert periods.shift(dt.date(2026, 1, 1), "quarterly", -1) == dt.date(2025, 10, 1)
    assert periods.shift(dt.date(2026, 11, 23), "weekly", -52) == dt.date(2025, 11, 24)


def test_last_complete_period() -> None:
    today = dt.date(2026, 11, 23)
    assert periods.last_complete(today, "weekly") == dt.date(2026, 11, 16)
    assert periods.last_complete(today, "monthly") == dt.date(2026, 10, 1)
    assert periods.last_complete(today, "quarterly") == dt.date(2026, 7, 1)


def test_span_and_labels() -> None:
    months = list(periods.span(dt.date(2026, 1, 15), dt.date(2026, 4, 1), "monthly"))
    assert months == [dt.date(2026, m, 1) for m in (1, 2, 3, 4)]
    assert periods.label(dt.date(2026, 11, 16), "weekly") == "2026-W47"
    assert periods.label(dt.date(2026, 7, 1), "quarterly") == "2026-Q3"
    assert periods.label(dt.date(2026, 10, 1), "monthly") == "Oct 2026"


def test_unknown_cadence_is_refused() -> None:
    with pytest.raises(ValueError, match="daily"):
        periods.period_start(dt.date(2026, 1, 1), "daily")
