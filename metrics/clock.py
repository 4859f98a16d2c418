"""The one clock: every "today" and every stored timestamp comes from here.

``SCORECARD_TODAY`` moves the whole clock to another day, keeping the time of day,
so a check-in, a signature or an upload made "today" is stamped on that day and the
board read "as of today" sees it. Nothing else in the project reads the wall clock
(``tests/test_clock.py`` looks for stray calls); durations use ``time.monotonic``.
"""

from __future__ import annotations

import datetime as dt

from metrics import config


def wall() -> dt.datetime:
    """The machine's clock in UTC, without a zone (how timestamps are stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """The configured day, or the real date (UTC)."""
    return config.configured_today() or wall().date()


def now() -> dt.datetime:
    """This moment on the configured day: the real time of day on ``today()``."""
    moment = wall()
    return dt.datetime.combine(today(), moment.time())
