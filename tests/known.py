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

#: W47 values as the board shows them (by metric name), from the demo series
W47_SHOWN = {"Site uptime": "99.92%", "Website sessions": "253,153", "Cost per lead": "$71.19"}
#: the same three by id, as numbers (uptime as stored, before rounding for show)
W47_SESSIONS = 253_153.0
W47_LEAD_SIGNUPS = 2_895.0
W47_UPTIME = 99.9213  # compare with a tolerance of 1e-3
