"""Cadence periods: weeks start on Monday, months on the 1st, quarters on Jan/Apr/Jul/Oct 1st."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator


def period_start(day: dt.date, cadence: str) -> dt.date:
    """The start of the period that contains ``day``."""
    if cadence == "weekly":
        return day - dt.timedelta(days=day.weekday())
    if cadence == "monthly":
        return day.replace(day=1)
    if cadence == "quarterly":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"unknown cadence {cadence!r}")


def is_period_start(day: dt.date, cadence: str) -> bool:
    return period_start(day, cadence) == day


def shift(start: dt.date, cadence: str, periods: int) -> dt.date:
    """The start of the period ``periods`` away from ``start`` (negative = earlier)."""
    if cadence == "weekly":
        return start + dt.timedelta(weeks=periods)
    months = periods * (3 if cadence == "quarterly" else 1)
    if cadence not in ("monthly", "quarterly"):
        raise ValueError(f"unknown cadence {cadence!r}")
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def periods_per_year(cadence: str) -> int:
    return {"weekly": 52, "monthly": 12, "quarterly": 4}[cadence]


def last_complete(today: dt.date, cadence: str) -> dt.date:
    """The start of the newest period that has fully ended before ``today``."""
    return shift(period_start(today, cadence), cadence, -1)


def span(first: dt.date, last: dt.date, cadence: str) -> Iterator[dt.date]:
    """Every period start from ``first`` to ``last`` inclusive."""
    current = period_start(first, cadence)
    while current <= last:
        yield current
        current = shift(current, cadence, 1)


def label(start: dt.date, cadence: str) -> str:
    """How a period is written for people: 2026-W47, Nov 2026, 2026-Q3."""
    if cadence == "weekly":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if cadence == "monthly":
        return start.strftime("%b %Y")
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
