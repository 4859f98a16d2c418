"""What the deterministic demo (seed 42, today 2026-11-23) shows, worked out once by hand from
the demo values and the seed catalog's targets, for every test that compares against it."""

from __future__ import annotations

from metrics.board import status

#: the board's default week, W47 (16-22 Nov 2026): tiles per status word
W47_COUNTS = {
    status.ON_TARGET: 9,
    status.NEAR_TARGET: 5,  # lead sign-ups, phishing clicks, security incidents, lead time, deployments
    status.TO_WATCH: 6,
    status.OFF_TARGET: 4,
    status.NO_DATA: 0,
}
#: the same, as the headline reads it
W47_HEADLINE = "9 on target · 5 near target · 6 to watch · 4 off target"
