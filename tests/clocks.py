"""Moving the one clock in a test: the day and the time of day together, never half of it."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics import clock


def move_clock(patch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    """From now on (until ``patch`` is undone) today is ``moment``'s day and now is ``moment``."""
    patch.setenv("SCORECARD_TODAY", moment.date().isoformat())
    patch.setattr(clock, "wall", lambda: moment)
